/* Signature pad of the output window (统一出件): the recipient signs with a finger, a pen
   or the mouse; the drawing goes into the form as a PNG data URL. Without JavaScript (or
   for someone who cannot draw) the form's "signed the paper receipt" check box is the
   fallback, so the pad is only shown once this script runs. */
(function () {
  "use strict";

  function setUp(pad) {
    var canvas = pad.querySelector("canvas");
    var input = document.getElementById(pad.dataset.input);
    var clear = pad.querySelector("[data-signature-clear]");
    var status = pad.querySelector("[data-signature-status]");
    if (!canvas || !input || !canvas.getContext) { return; }
    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    var last = null;

    function resize() {
      // Keep the drawing sharp on high-density screens: the bitmap follows the CSS size.
      var ratio = window.devicePixelRatio || 1;
      var box = canvas.getBoundingClientRect();
      canvas.width = Math.round(box.width * ratio);
      canvas.height = Math.round(box.height * ratio);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#1b1f24";
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }

    function say(text) { if (status) { status.textContent = text; } }

    function save() {
      input.value = drawn ? canvas.toDataURL("image/png") : "";
      say(drawn ? "已签名。" : "尚未签名。");
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      if (canvas.setPointerCapture) { canvas.setPointerCapture(event.pointerId); }
      drawing = true;
      last = point(event);
      context.beginPath();
      context.arc(last.x, last.y, 1.2, 0, Math.PI * 2);
      context.fill();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      var next = point(event);
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(next.x, next.y);
      context.stroke();
      last = next;
    });
    function stop() {
      if (!drawing) { return; }
      drawing = false;
      save();
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);

    if (clear) {
      clear.addEventListener("click", function () {
        context.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        save();
      });
    }
    pad.hidden = false;
    resize();
    input.value = "";
    say("尚未签名。");
  }

  document.querySelectorAll("[data-signature-pad]").forEach(setUp);
})();
