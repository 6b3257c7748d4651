// Print buttons (no inline script: the pages' Content-Security-Policy allows scripts from /static only).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button.print").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
});
