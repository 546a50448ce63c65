/* The engagement board (engagements/board.html): drag a card to the next column where its next
 * step allows it. Only cards the server marked draggable move, and only onto the column named in
 * their data-to; the drop opens that step's form (fetched from the server, prefilled) in a dialog
 * — nothing changes until the user submits it. Keyboard and touch users have the card's
 * "Move to…" menu, which opens the same form on its own page. No inline scripts (CSP). */
(function () {
  "use strict";

  var dragged = null;

  function columnOf(element) {
    return element && element.closest ? element.closest(".app-board-column") : null;
  }

  function accepts(column) {
    return dragged !== null && column !== null && column.dataset.stage === dragged.dataset.to;
  }

  function clearMarks() {
    document.querySelectorAll(".app-board-column.is-target, .app-board-column.is-refused").forEach(function (c) {
      c.classList.remove("is-target", "is-refused");
    });
  }

  function openForm(card) {
    var dialog = document.getElementById("board-dialog");
    var body = document.getElementById("board-dialog-body");
    var error = document.getElementById("board-dialog-error");
    var url = card.dataset.moveUrl;
    if (!dialog || typeof dialog.showModal !== "function") {
      window.location.href = url;  // no <dialog>: the form's own page
      return;
    }
    body.textContent = "";
    error.classList.add("d-none");
    fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "partial=1", {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.text().then(function (text) {
          return { ok: response.ok, text: text };
        });
      })
      .then(function (result) {
        if (!result.ok) {
          // A refusal is a full page: show its message, not the page.
          var page = new DOMParser().parseFromString(result.text, "text/html");
          var refusal = page.getElementById("move-refused");
          error.textContent = refusal ? refusal.textContent.trim() : error.textContent;
          error.classList.remove("d-none");
        } else {
          body.innerHTML = result.text;  // our own server's form fragment
        }
        dialog.showModal();
        var first = dialog.querySelector("select, input:not([type=hidden]), textarea, button");
        if (first) {
          first.focus();
        }
      })
      .catch(function () {
        error.classList.remove("d-none");
        dialog.showModal();
      });
  }

  function setUp() {
    var board = document.querySelector(".app-board");
    if (!board) {
      return;
    }
    board.addEventListener("dragstart", function (event) {
      var card = event.target.closest ? event.target.closest(".app-board-card") : null;
      if (!card || card.getAttribute("draggable") !== "true") {
        event.preventDefault();
        return;
      }
      dragged = card;
      card.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.dataset.pk);
    });
    board.addEventListener("dragend", function () {
      if (dragged) {
        dragged.classList.remove("is-dragging");
      }
      dragged = null;
      clearMarks();
    });
    board.addEventListener("dragover", function (event) {
      var column = columnOf(event.target);
      if (!column || !dragged) {
        return;
      }
      clearMarks();
      if (accepts(column)) {
        event.preventDefault();  // allows the drop here
        event.dataTransfer.dropEffect = "move";
        column.classList.add("is-target");
      } else if (column !== columnOf(dragged)) {
        event.dataTransfer.dropEffect = "none";
        column.classList.add("is-refused");
      }
    });
    board.addEventListener("drop", function (event) {
      var column = columnOf(event.target);
      var card = dragged;
      clearMarks();
      if (!accepts(column)) {
        return;
      }
      event.preventDefault();
      openForm(card);
    });
    var dialog = document.getElementById("board-dialog");
    if (dialog) {
      dialog.addEventListener("click", function (event) {
        var cancel = event.target.closest ? event.target.closest(".app-board-cancel") : null;
        if (cancel) {
          event.preventDefault();
          dialog.close();
        }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
