// The decision record's Print button (the page prints without it, too).
document.getElementById("print").addEventListener("click", () => window.print());
document.body.dataset.ready = "true";
