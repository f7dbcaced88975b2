// The phone menu scrolls sideways (onewindow.css): show a hint at each edge that hides
// links, and bring a menu link that gets focus fully into view, clear of the hints.
(function () {
  "use strict";
  function watch(nav) {
    var list = nav.querySelector("ul");
    if (!list) { return; }
    function update() {
      var hidden = list.scrollWidth - list.clientWidth;
      nav.classList.toggle("nav-more-start", hidden > 1 && list.scrollLeft > 1);
      nav.classList.toggle("nav-more-end", hidden > 1 && list.scrollLeft < hidden - 1);
    }
    list.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    list.addEventListener("focusin", function (event) {
      if (event.target.closest && event.target.closest("a")) {
        // "nearest" honours the list's scroll-padding, so the link clears the fades.
        event.target.scrollIntoView({ block: "nearest", inline: "nearest" });
        update();
      }
    });
    // The current page's link is shown, not left behind the end hint.
    var current = list.querySelector('[aria-current="page"]');
    if (current && list.scrollWidth > list.clientWidth) {
      list.scrollLeft = Math.max(0, current.offsetLeft - list.clientWidth / 2);
    }
    update();
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".main-nav"), watch);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
