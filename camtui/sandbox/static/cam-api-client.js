/*
 * cam-api-client.js: a small Chat&Messenger API client with the signatures of the vendor page's JavaScript
 * samples, served by `camtui serve` at /_sandbox/cam-api-client.js so that integrators can run their code
 * against the sandbox before they get a test server.
 *
 *   let client = new CAMAPIClient({"apiToken": "...", "serverURL": "http://127.0.0.1:8080"});
 *   let response = await getAPIClient().sendMessage("messenger", "Hello!", false, ["user1@xxx.com"]);
 *   if (response["errors"]) { ... }
 *
 * Every method POSTs application/x-www-form-urlencoded (updateUsersCSV: multipart/form-data) with the
 * x-cam-apiToken header and resolves to the parsed JSON answer, errors included: `{"status":520,"errors":[…]}`
 * on a refused request, and an `errors` list too when the HTTP status is not 200 and the body is not JSON.
 * It rejects only when no answer arrives (network failure). exportUsers resolves to `{status, csv, path}`.
 * getAPIClient() returns the client made last, else one from globalThis.CAM_API_CONFIG, else (node) from the
 * CAM_API_TOKEN and CAM_SERVER_URL environment variables. Needs fetch (browsers, node >= 18).
 */
(function (root) {
  "use strict";

  let current = null;

  function joinUsers(users) {
    if (users === undefined || users === null) return "";
    const list = Array.isArray(users) ? users : String(users).split(",");
    return list.map((u) => String(u).trim()).filter((u) => u).join(",");
  }

  function periodText(value) {
    if (value instanceof Date) {
      const pad = (n) => String(n).padStart(2, "0");
      return `${value.getFullYear()}${pad(value.getMonth() + 1)}${pad(value.getDate())}`;
    }
    return String(value).trim().replace(/[-/]/g, "");
  }

  function errorEnvelope(status, text, statusText) {
    const message = text.trim().slice(0, 200) || statusText || `HTTP ${status}`;
    return { status: status, errors: [{ code: String(status), message: message }] };
  }

  class CAMAPIClient {
    constructor(config) {
      const c = config || {};
      if (typeof c.apiToken !== "string" || !c.apiToken.trim()) {
        throw new TypeError("CAMAPIClient: config.apiToken is required");
      }
      if (typeof c.serverURL !== "string" || !/^https?:\/\/[^/]/.test(c.serverURL.trim())) {
        throw new TypeError("CAMAPIClient: config.serverURL must be http(s)://host[:port]");
      }
      Object.defineProperty(this, "apiToken", { value: c.apiToken.trim(), enumerable: false });
      this.serverURL = c.serverURL.trim().replace(/\/+$/, "");
      current = this;
    }

    /** POST one method; `fields` an object of strings (form-urlencoded) or a FormData (multipart). */
    async call(method, fields) {
      const body = fields instanceof FormData ? fields : new URLSearchParams(fields || {});
      const response = await fetch(`${this.serverURL}/${method}`, {
        method: "POST",
        headers: { "x-cam-apiToken": this.apiToken },
        body: body,
      });
      const text = await response.text();
      const type = response.headers.get("content-type") || "";
      if (type.includes("json") || text.trimStart().startsWith("{")) {
        try {
          return JSON.parse(text);
        } catch (e) {
          // not JSON after all: answered below as an error
        }
      }
      if (response.status === 200 && method === "exportUsers") {
        return { status: 200, csv: text.replace(/^\ufeff/, ""), path: fields.path };
      }
      return errorEnvelope(response.status === 200 ? 500 : response.status, text, response.statusText);
    }

    sendMessage(send, message, seal, users) {
      const payload = { panelName: send, message: message, isOpened: Boolean(seal) };
      const joined = joinUsers(users);
      if (joined) payload.generalPurposes = { users: joined };
      return this.call("sendMessage", { message: JSON.stringify(payload) });
    }

    /** `messages`: a list of `{send?, message, property?: {users}}`, or the JSON text of one. */
    sendMessages(messages) {
      const text = typeof messages === "string" ? messages : JSON.stringify(messages);
      return this.call("sendMessages", { messages: text });
    }

    /** `expiredDate`: Unix milliseconds or a Date. */
    createQuickCall(expiredDate, password, title) {
      const ms = expiredDate instanceof Date ? expiredDate.getTime() : expiredDate;
      return this.call("createQuickCall", {
        expiredDate: String(ms),
        password: password === undefined || password === null ? "" : String(password),
        title: title === undefined || title === null ? "" : String(title),
      });
    }

    getCallStats(roomName) {
      return this.call("getCallStats", { roomName: String(roomName) });
    }

    exportUsers(path) {
      return this.call("exportUsers", { path: path || "exportUsers.csv" });
    }

    /** `file`: the CSV text, a Blob/File, or bytes (Uint8Array, Buffer). */
    updateUsersCSV(file, filename) {
      const form = new FormData();
      const blob = file instanceof Blob ? file : new Blob([file], { type: "text/csv" });
      form.append("file", blob, filename || "updateUsers.csv");
      return this.call("updateUsersCSV", form);
    }

    /** `chatRoom` in the page's shape; a `memberUids` list is sent as `{uid: true}`. */
    updateChatRoom(chatRoom) {
      const room = Object.assign({}, chatRoom);
      if (Array.isArray(room.memberUids)) {
        room.memberUids = Object.fromEntries(room.memberUids.map((uid) => [String(uid), true]));
      }
      return this.call("updateChatRoom", { chatRoom: JSON.stringify(room) });
    }

    getConferenceMaster() {
      return this.call("getConferenceMaster", {});
    }

    getConferenceRooms() {
      return this.call("getConferenceRooms", {});
    }

    /** `yyyyMMdd`: a month ("201908") or a day ("20190801", a Date); none: the master list. */
    getConferenceRoomStatus(yyyyMMdd) {
      const fields = yyyyMMdd === undefined || yyyyMMdd === null ? {} : { yyyyMMdd: periodText(yyyyMMdd) };
      return this.call("getConferenceRoomStatus", fields);
    }
  }

  function getAPIClient() {
    if (current) return current;
    let config = root.CAM_API_CONFIG;
    const env = typeof process === "object" && process.env ? process.env : {};
    if (!config && env.CAM_API_TOKEN && env.CAM_SERVER_URL) {
      config = { apiToken: env.CAM_API_TOKEN, serverURL: env.CAM_SERVER_URL };
    }
    if (!config) {
      throw new Error(
        "getAPIClient(): no client yet: make one with new CAMAPIClient({apiToken, serverURL}), " +
          "set globalThis.CAM_API_CONFIG, or set CAM_API_TOKEN and CAM_SERVER_URL"
      );
    }
    return new CAMAPIClient(config);
  }

  root.CAMAPIClient = CAMAPIClient;
  root.getAPIClient = getAPIClient;
  if (typeof module === "object" && module && module.exports) {
    module.exports = { CAMAPIClient: CAMAPIClient, getAPIClient: getAPIClient };
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
