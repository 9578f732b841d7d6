"""Name pools for the demo data: people, departments, rooms, meetings and calls (Japanese and English)."""

from __future__ import annotations

SURNAMES: tuple[tuple[str, str], ...] = (
    ("佐藤", "Sato"), ("鈴木", "Suzuki"), ("高橋", "Takahashi"), ("田中", "Tanaka"), ("伊藤", "Ito"),
    ("渡辺", "Watanabe"), ("山本", "Yamamoto"), ("中村", "Nakamura"), ("小林", "Kobayashi"), ("加藤", "Kato"),
    ("吉田", "Yoshida"), ("山田", "Yamada"), ("佐々木", "Sasaki"), ("山口", "Yamaguchi"), ("松本", "Matsumoto"),
    ("井上", "Inoue"), ("木村", "Kimura"), ("林", "Hayashi"), ("斎藤", "Saito"), ("清水", "Shimizu"),
    ("山崎", "Yamazaki"), ("森", "Mori"), ("池田", "Ikeda"), ("橋本", "Hashimoto"), ("阿部", "Abe"),
    ("石川", "Ishikawa"), ("山下", "Yamashita"), ("中島", "Nakajima"), ("石井", "Ishii"), ("小川", "Ogawa"),
    ("前田", "Maeda"), ("岡田", "Okada"), ("長谷川", "Hasegawa"), ("藤田", "Fujita"), ("後藤", "Goto"),
    ("近藤", "Kondo"), ("村上", "Murakami"), ("遠藤", "Endo"), ("青木", "Aoki"), ("坂本", "Sakamoto"),
    ("福田", "Fukuda"), ("太田", "Ota"), ("西村", "Nishimura"), ("藤井", "Fujii"), ("金子", "Kaneko"),
    ("岡本", "Okamoto"), ("藤原", "Fujiwara"), ("中野", "Nakano"), ("三浦", "Miura"), ("原田", "Harada"),
    ("中川", "Nakagawa"), ("松田", "Matsuda"), ("竹内", "Takeuchi"), ("小野", "Ono"), ("田村", "Tamura"),
    ("中山", "Nakayama"), ("和田", "Wada"), ("石田", "Ishida"), ("森田", "Morita"), ("上田", "Ueda"),
    ("原", "Hara"), ("内田", "Uchida"), ("柴田", "Shibata"), ("酒井", "Sakai"), ("宮崎", "Miyazaki"),
    ("横山", "Yokoyama"), ("高木", "Takagi"), ("安藤", "Ando"), ("宮本", "Miyamoto"), ("小島", "Kojima"),
    ("谷口", "Taniguchi"), ("今井", "Imai"), ("工藤", "Kudo"), ("高田", "Takada"), ("増田", "Masuda"),
    ("丸山", "Maruyama"), ("杉山", "Sugiyama"), ("村田", "Murata"), ("大塚", "Otsuka"), ("新井", "Arai"),
    ("小山", "Koyama"), ("平野", "Hirano"), ("藤本", "Fujimoto"), ("河野", "Kono"), ("上野", "Ueno"),
    ("野口", "Noguchi"), ("武田", "Takeda"), ("松井", "Matsui"), ("千葉", "Chiba"), ("岩崎", "Iwasaki"),
    ("菅原", "Sugawara"), ("木下", "Kinoshita"), ("久保", "Kubo"), ("佐野", "Sano"), ("野村", "Nomura"),
    ("松尾", "Matsuo"), ("市川", "Ichikawa"), ("菊地", "Kikuchi"), ("杉本", "Sugimoto"), ("大西", "Onishi"),
)  # fmt: skip

GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("太郎", "Taro"), ("花子", "Hanako"), ("翔太", "Shota"), ("大輔", "Daisuke"), ("健太", "Kenta"),
    ("拓也", "Takuya"), ("直樹", "Naoki"), ("誠", "Makoto"), ("浩", "Hiroshi"), ("学", "Manabu"),
    ("陽菜", "Hina"), ("結衣", "Yui"), ("美咲", "Misaki"), ("さくら", "Sakura"), ("葵", "Aoi"),
    ("愛", "Ai"), ("由美", "Yumi"), ("恵", "Megumi"), ("裕子", "Yuko"), ("真由美", "Mayumi"),
    ("蓮", "Ren"), ("湊", "Minato"), ("大翔", "Hiroto"), ("悠真", "Yuma"), ("陽斗", "Haruto"),
    ("颯", "Hayate"), ("樹", "Itsuki"), ("優斗", "Yuto"), ("和也", "Kazuya"), ("達也", "Tatsuya"),
    ("亮", "Ryo"), ("剛", "Tsuyoshi"), ("修", "Osamu"), ("聡", "Satoshi"), ("隆", "Takashi"),
    ("明美", "Akemi"), ("久美子", "Kumiko"), ("千尋", "Chihiro"), ("彩", "Aya"), ("舞", "Mai"),
    ("瞳", "Hitomi"), ("沙織", "Saori"), ("香織", "Kaori"), ("奈々", "Nana"), ("凛", "Rin"),
    ("楓", "Kaede"), ("芽依", "Mei"), ("琴音", "Kotone"), ("美月", "Mizuki"), ("健一", "Kenichi"),
    ("正人", "Masato"), ("信也", "Shinya"), ("浩二", "Koji"), ("雄一", "Yuichi"), ("一郎", "Ichiro"),
    ("次郎", "Jiro"), ("智子", "Tomoko"), ("洋子", "Yoko"), ("康介", "Kosuke"), ("真司", "Shinji"),
)  # fmt: skip

DEPARTMENTS: tuple[str, ...] = (
    "営業部", "開発部", "総務部", "人事部", "経理部", "マーケティング部", "情報システム部",
    "カスタマーサポート部", "法務部", "経営企画部", "品質保証部", "製造部",
)  # fmt: skip

POSITIONS: tuple[tuple[str, int], ...] = (
    ("一般", 60), ("主任", 14), ("係長", 8), ("課長", 10), ("部長", 5), ("取締役", 2), ("契約社員", 6),
)  # fmt: skip
"""(position, weight)."""

ROOM_NAMES: tuple[tuple[str, int, int], ...] = (
    ("会議室A", 4, 8), ("Mt. Fuji", 6, 12), ("会議室B", 4, 8), ("Sakura", 4, 6), ("大会議室", 20, 40),
    ("Tokyo Bay", 8, 14), ("役員会議室", 10, 16), ("Focus Booth 1", 1, 2), ("応接室1", 4, 6),
    ("Board Room", 12, 20), ("会議室C", 6, 10), ("Huddle Space", 3, 6), ("セミナールーム", 30, 60),
    ("Kyoto", 6, 8), ("和室", 4, 10), ("Innovation Lab", 10, 24), ("応接室2", 4, 6), ("Focus Booth 2", 1, 2),
    ("研修室", 20, 36), ("Ocean View", 6, 10), ("商談ブース1", 2, 4), ("Phone Booth", 1, 1),
    ("中会議室", 10, 16), ("Training Room", 16, 30), ("商談ブース2", 2, 4), ("Hokkaido", 6, 8),
    ("小会議室", 3, 5), ("Okinawa", 4, 6), ("多目的ホール", 60, 120), ("Nagoya", 6, 10),
    ("会議室D", 4, 8), ("Creative Studio", 6, 12), ("面接室", 2, 4), ("Quiet Room", 1, 3),
    ("会議室E", 6, 10), ("Yokohama", 8, 12),
)  # fmt: skip
"""(name, minimum capacity, maximum capacity): Japanese and English names, interleaved."""

BUILDINGS: tuple[tuple[str, int, int], ...] = (
    ("本社", 2, 12), ("本社", 2, 12), ("本社", 2, 12), ("大阪支社", 3, 8), ("名古屋営業所", 1, 4),
    ("Tokyo Annex", 1, 6),
)  # fmt: skip
"""(building, lowest floor, highest floor); 本社 appears more often."""

MEETING_TITLES: tuple[str, ...] = (
    "週次定例", "1on1", "採用面接", "顧客打ち合わせ", "予算会議", "Sprint Review", "Sprint Planning",
    "部内ミーティング", "Design Review", "朝会", "プロジェクト キックオフ", "営業戦略会議", "Weekly Sync",
    "四半期レビュー", "研修", "ベンダー商談", "Retrospective", "経営会議", "新製品説明会", "All Hands",
    "勉強会", "品質会議", "Customer Demo", "役員報告",
)  # fmt: skip

CALL_TITLES: tuple[str, ...] = (
    "全社朝会", "Sprint Review", "顧客デモ (ACME)", "採用面接 一次", "Weekly Sync", "営業会議",
    "障害対応ブリッジ", "Design Critique", "新人研修", "Board Meeting", "ランチ会", "Vendor Call",
)  # fmt: skip

CHAT_ROOMS: tuple[str, ...] = (
    "ルーム名", "test", "全社連絡", "開発チーム", "営業速報", "情報システム部", "雑談", "Release Notes",
)  # fmt: skip
"""Chat rooms every sandbox has; the first two are the spec's samples (`ルーム名`, `test`)."""
