// Proof of work for the reporting portal (security/portal_guard.py).
// Finds a decimal solution such that SHA-256(challenge + ":" + solution) starts with
// `difficulty` zero bits, and puts it in the form's hidden field. Work starts as soon as the
// page is shown, so it is usually done while the person writes; a submit before that waits,
// showing the "preparing" note, then goes on by itself. No outside service is involved.
(function () {
  "use strict";

  var BATCH = 512;

  function zeroBits(bytes) {
    var bits = 0;
    for (var i = 0; i < bytes.length; i++) {
      var b = bytes[i];
      if (b === 0) { bits += 8; continue; }
      while ((b & 0x80) === 0) { bits += 1; b <<= 1; }
      return bits;
    }
    return bits;
  }

  // SHA-256 in plain JavaScript, for a page served over plain HTTP, where browsers withhold
  // crypto.subtle.
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];

  function sha256(bytes) {
    var n = bytes.length;
    var total = ((n + 9 + 63) >> 6) << 6;
    var m = new Uint8Array(total);
    m.set(bytes);
    m[n] = 0x80;
    var bitLen = n * 8;
    m[total - 4] = (bitLen >>> 24) & 0xff;
    m[total - 3] = (bitLen >>> 16) & 0xff;
    m[total - 2] = (bitLen >>> 8) & 0xff;
    m[total - 1] = bitLen & 0xff;
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64);
    for (var off = 0; off < total; off += 64) {
      for (var t = 0; t < 16; t++) {
        var j = off + t * 4;
        w[t] = (m[j] << 24) | (m[j + 1] << 16) | (m[j + 2] << 8) | m[j + 3];
      }
      for (t = 16; t < 64; t++) {
        var a0 = w[t - 15], a1 = w[t - 2];
        var s0 = ((a0 >>> 7) | (a0 << 25)) ^ ((a0 >>> 18) | (a0 << 14)) ^ (a0 >>> 3);
        var s1 = ((a1 >>> 17) | (a1 << 15)) ^ ((a1 >>> 19) | (a1 << 13)) ^ (a1 >>> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (t = 0; t < 64; t++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (k + S1 + ch + K[t] + w[t]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    var out = new Uint8Array(32);
    for (var i = 0; i < 8; i++) {
      out[i * 4] = (h[i] >>> 24) & 0xff;
      out[i * 4 + 1] = (h[i] >>> 16) & 0xff;
      out[i * 4 + 2] = (h[i] >>> 8) & 0xff;
      out[i * 4 + 3] = h[i] & 0xff;
    }
    return out;
  }

  function solve(challenge, difficulty) {
    var encoder = new TextEncoder();
    var prefix = challenge + ":";
    var subtle = window.crypto && window.crypto.subtle;
    var next = 0;

    function batchSubtle() {
      var start = next;
      next += BATCH;
      var work = [];
      for (var i = start; i < next; i++) {
        work.push(subtle.digest("SHA-256", encoder.encode(prefix + i)));
      }
      return Promise.all(work).then(function (digests) {
        for (var i = 0; i < digests.length; i++) {
          if (zeroBits(new Uint8Array(digests[i])) >= difficulty) { return String(start + i); }
        }
        return batchSubtle();
      });
    }

    function batchPlain() {
      return new Promise(function (resolve) {
        var stop = next + BATCH * 8;
        for (; next < stop; next++) {
          if (zeroBits(sha256(encoder.encode(prefix + next))) >= difficulty) {
            resolve(String(next));
            return;
          }
        }
        setTimeout(function () { resolve(batchPlain()); }, 0);
      });
    }

    return subtle ? batchSubtle() : batchPlain();
  }

  function prepare(form) {
    if (!form || form.hasAttribute("data-pow-bound")) { return; }
    form.setAttribute("data-pow-bound", "");
    var challengeInput = form.querySelector("[data-pow-challenge]");
    var solutionInput = form.querySelector("[data-pow-solution]");
    var status = form.querySelector("[data-pow-status]");
    if (!challengeInput || !solutionInput) { return; }
    var difficulty = parseInt(challengeInput.getAttribute("data-pow-difficulty"), 10) || 0;
    var waiting = null;  // the submit button pressed while the work was not done

    function say(key) {
      if (!status) { return; }
      status.textContent = status.getAttribute("data-" + key);
      status.hidden = false;
    }

    var done = solve(challengeInput.value, difficulty).then(
      function (solution) {
        solutionInput.value = solution;
        form.setAttribute("data-pow-ready", "");
        if (waiting !== null) {
          say("ready");
          var submitter = waiting;
          waiting = null;
          if (form.requestSubmit) {
            form.requestSubmit(submitter instanceof HTMLElement ? submitter : undefined);
          } else {
            form.submit();
          }
        }
      },
      function () { say("failed"); }
    );

    form.addEventListener("submit", function (event) {
      if (solutionInput.value) { return; }
      event.preventDefault();
      waiting = event.submitter || true;
      say("preparing");
      return done;
    });
  }

  function start() {
    var inputs = document.querySelectorAll("form [data-pow-challenge]");
    for (var i = 0; i < inputs.length; i++) { prepare(inputs[i].form); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
