/* Display maths on a narrow screen: a formula wider than the column is drawn smaller until it
 * fits (down to 60%), instead of hiding its right end in a box that scrolls without showing
 * it; the few formulas too wide even then scroll sideways, with a shadow on the right edge
 * that says there is more (phones hide scroll bars).
 * Runs after MathJax has typeset the page, and again when the window changes size.
 */
(function () {
  "use strict";
  const SMALLEST = 0.6; // 60% at most; a formula still too wide scrolls, and shows that it does

  function fit() {
    document.querySelectorAll('article mjx-container[display="true"]').forEach((box) => {
      if (box.dataset.nnfsFontSize === undefined) box.dataset.nnfsFontSize = box.style.fontSize;
      box.style.fontSize = box.dataset.nnfsFontSize; // MathJax's own size first
      const need = box.scrollWidth, have = box.clientWidth;
      box.classList.remove("nnfs-scrolls");
      if (need > have + 1 && have > 0) {
        const px = parseFloat(getComputedStyle(box).fontSize);
        box.style.fontSize = px * Math.max(SMALLEST, (have - 4) / need) + "px";
        // Still too wide at 60%: it scrolls, and a shadow on its right edge says so.
        if (box.scrollWidth > box.clientWidth + 1) box.classList.add("nnfs-scrolls");
      }
    });
  }

  function whenTypeset(tries) {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(fit);
    } else if (tries < 50 && document.querySelector("article .math")) {
      setTimeout(() => whenTypeset(tries + 1), 200); // MathJax is still loading
    }
  }
  document.addEventListener("DOMContentLoaded", () => whenTypeset(0));
  let pending = null;
  window.addEventListener("resize", () => { clearTimeout(pending); pending = setTimeout(fit, 150); });
})();
