/* Small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  // Vietnamese folding, as congvan.text.fold: lower case, marks removed, đ → d.
  function fold(text) {
    return (text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
  }

  // Filter box over a list of checkboxes (nơi nhận): hides what does not match, keeps checked ones visible.
  document.querySelectorAll("[data-filter-target]").forEach(function (input) {
    var list = document.querySelector(input.getAttribute("data-filter-target"));
    if (!list) return;
    input.addEventListener("input", function () {
      var needle = fold(input.value.trim());
      list.querySelectorAll("[data-filter-text]").forEach(function (row) {
        var box = row.querySelector("input");
        var match = !needle || fold(row.getAttribute("data-filter-text")).indexOf(needle) !== -1;
        row.hidden = !(match || (box && box.checked));
      });
      list.querySelectorAll(".recipient-group").forEach(function (group) {
        group.hidden = !group.querySelector("[data-filter-text]:not([hidden])");
      });
    });
    input.addEventListener("keydown", function (event) {  // Enter must not submit the whole form
      if (event.key === "Enter") event.preventDefault();
    });
  });

  // Selected recipients counter and "select the whole group".
  document.querySelectorAll(".recipients").forEach(function (box) {
    var badge = box.querySelector("[data-recipient-count]");
    function count() {
      if (badge) badge.textContent = box.querySelectorAll("input[type=checkbox]:checked").length;
    }
    box.addEventListener("change", count);
    box.querySelectorAll("[data-select-group]").forEach(function (button) {
      button.addEventListener("click", function () {
        var group = button.closest(".recipient-group");
        var boxes = group.querySelectorAll("[data-filter-text]:not([hidden]) input[type=checkbox]");
        var all = Array.prototype.every.call(boxes, function (b) { return b.checked; });
        boxes.forEach(function (b) { b.checked = !all; });
        count();
      });
    });
  });

  // A secret document is paper only: choosing a secrecy level switches the form to paper.
  var secrecy = document.getElementById("id_secrecy");
  var form = document.getElementById("id_form");
  if (secrecy && form) {
    secrecy.addEventListener("change", function () {
      if (secrecy.value !== "none") form.value = "paper";
    });
  }

  // The bell is polled (htmx): when the unread count grows, the newest notification also shows as a toast.
  var bell = document.getElementById("bell");
  function unread() {
    var link = bell && bell.querySelector("[data-unread]");
    return link ? parseInt(link.getAttribute("data-unread"), 10) || 0 : 0;
  }
  var known = unread();
  if (bell) {
    bell.addEventListener("htmx:afterSwap", function () {
      var link = bell.querySelector("[data-unread]");
      var count = unread();
      var grew = count > known;
      known = count;
      var box = document.getElementById("toasts");
      if (!grew || !link || !link.getAttribute("data-latest-id") || !box || !window.bootstrap) return;
      var toast = document.createElement("div");
      toast.className = "toast new-notification";
      toast.setAttribute("role", "status");
      var body = document.createElement("a");
      body.className = "toast-body d-block text-decoration-none";
      body.href = link.getAttribute("data-latest-url");
      body.textContent = link.getAttribute("data-latest-text");
      toast.appendChild(body);
      box.appendChild(toast);
      new window.bootstrap.Toast(toast, {delay: 10000}).show();
    });
  }

  // Put the keyboard on the error summary after a refused submission.
  var errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();
