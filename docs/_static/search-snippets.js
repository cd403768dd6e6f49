/* Search results: quote the lesson text under each hit, not the page around it.
 *
 * Sphinx's search page fetches each page found and shows 240 characters around the word from
 * the page's [role=main] element. In this theme that element also holds the header buttons'
 * labels ("Light Dark ... Contents"), and the maths in the fetched HTML is still TeX
 * (\(\frac{\partial L}{\partial x}\)). This takes the text from the <article> instead and turns
 * TeX into plain symbols: dL/dx reads better than \frac{\partial L}{\partial x}.
 */
(function () {
  "use strict";
  const SYMBOLS = {
    partial: "∂", cdot: "·", times: "×", sum: "Σ", sigma: "σ", eta: "η", alpha: "α", lambda: "λ",
    to: "→", rightarrow: "→", leftarrow: "←", approx: "≈", le: "≤", leq: "≤", ge: "≥", geq: "≥",
    ne: "≠", neq: "≠", infty: "∞", pm: "±", ldots: "…", dots: "…", cdots: "⋯", nabla: "∇", in: "∈",
  };

  function plainMath(tex) {
    let text = tex.replace(/^\s*(\\\(|\\\[|\$\$?)/, "").replace(/(\\\)|\\\]|\$\$?)\s*$/, "");
    for (let i = 0; i < 5 && /\\(d|t)?frac\s*\{/.test(text); i++) {
      text = text.replace(/\\(?:d|t)?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "$1/$2");
    }
    text = text.replace(/\\(?:left|right|big|Big|bigg|Bigg)\b/g, "")
      .replace(/\\(?:mathrm|text|mathbf|operatorname|boldsymbol|mathit)\s*\{([^{}]*)\}/g, "$1")
      .replace(/\\([A-Za-z]+)/g, (m, name) => SYMBOLS[name] || name)
      .replace(/\\[,;:! ]/g, " ")
      .replace(/[{}]/g, "")
      .replace(/\s+/g, " ");
    return text.trim();
  }

  function lessonText(htmlString, anchor) {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll(".headerlink, script, style, .cell_output img").forEach((el) => el.remove());
    doc.querySelectorAll(".math").forEach((el) => { el.textContent = " " + plainMath(el.textContent) + " "; });
    const article = doc.querySelector("article") || doc.querySelector('[role="main"]');
    if (!article) return "";
    const part = anchor ? article.querySelector(anchor) : null;
    return (part || article).textContent.replace(/\s+/g, " ");
  }

  function install() {
    if (typeof Search !== "undefined" && Search.htmlToText && !Search.nnfsLessonText) {
      Search.htmlToText = lessonText;
      Search.nnfsLessonText = true;
    }
  }
  install();
  document.addEventListener("DOMContentLoaded", install);
})();
