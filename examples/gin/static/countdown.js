// Ticks every element with data-seconds down once a second, from the value
// the server rendered, written as the server writes it ("42 s",
// "4 min 05 s"). At zero it shows the element's data-done text. The server
// decides what has expired; this only shows the time passing.
"use strict";

function formatSeconds(n) {
  if (n < 60) {
    return n + " s";
  }
  var s = n % 60;
  return Math.floor(n / 60) + " min " + (s < 10 ? "0" : "") + s + " s";
}

document.querySelectorAll("[data-seconds]").forEach(function (el) {
  var left = parseInt(el.dataset.seconds, 10);
  var timer = setInterval(function () {
    left -= 1;
    if (left > 0) {
      el.textContent = formatSeconds(left);
      return;
    }
    clearInterval(timer);
    el.textContent = el.dataset.done;
    el.classList.add("done");
  }, 1000);
});
