// Progressive enhancement only: every page works without this file.
// After HTMX replaces a list's results, tell screen-reader users how many hits there are now.
document.addEventListener("htmx:afterSwap", function (event) {
  var count = event.detail.target && document.getElementById("result-count");
  var live = document.getElementById("live-region");
  if (count && live) {
    live.textContent = count.textContent.replace(/\s+/g, " ").trim();
  }
});

// A filter form sent by HTMX leaves out its empty fields, so the address it pushes is short enough to share and
// names only the filters in use (the server reads a missing field and an empty one alike).
document.addEventListener("htmx:configRequest", function (event) {
  var data = event.detail.formData;
  if (event.detail.verb !== "get" || !data) {
    return;
  }
  Array.from(new Set(data.keys())).forEach(function (name) {
    var values = data.getAll(name).filter(function (value) {
      return value !== "";
    });
    data.delete(name);
    values.forEach(function (value) {
      data.append(name, value);
    });
  });
});

// A request refused or failed (403, 500, no connection): say so where the person is, and leave what they typed.
function showRequestFailed(event) {
  var element = event.detail.elt;
  var message = document.body.getAttribute("data-request-failed");
  if (!element || !message) {
    return;
  }
  var alert = element.previousElementSibling;
  if (!alert || !alert.classList.contains("request-failed")) {
    alert = document.createElement("div");
    alert.className = "ds-alert request-failed";
    alert.setAttribute("data-color", "danger");
    alert.setAttribute("role", "alert");
    element.parentNode.insertBefore(alert, element);
  }
  alert.textContent = message;
}
document.addEventListener("htmx:responseError", showRequestFailed);
document.addEventListener("htmx:sendError", showRequestFailed);

// Links that come back to this page (the language switch, «Log in») follow the address HTMX has moved to, so a
// filtered list stays filtered after switching language or logging in.
document.addEventListener("htmx:pushedIntoHistory", function () {
  var here = window.location.pathname + window.location.search;
  document.querySelectorAll("a[data-next-here]").forEach(function (link) {
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("next", here);
    link.href = url.pathname + url.search;
  });
});

// After the report form comes in place, or comes back refused or saved, move the keyboard focus there: to the
// list of errors, to the confirmation, or to the form's first field, so keyboard and screen-reader users follow.
document.addEventListener("htmx:afterSettle", function (event) {
  var panel = document.getElementById("report-panel");
  var target = event.detail.target;  // for an outerHTML swap, the element that was replaced
  if (!panel || !target || (target.id !== "report-panel" && !panel.contains(target))) {
    return;
  }
  var place = panel.querySelector("#error-summary") || panel.querySelector("[role=status]");
  if (place) {
    if (!place.hasAttribute("tabindex")) {
      place.setAttribute("tabindex", "-1");
    }
    place.focus();
    return;
  }
  var field = panel.querySelector("input:not([type=hidden]), textarea, select");
  if (field) {
    field.focus();
  }
});

// On a phone the main menu, the language and the account fold behind one button (a disclosure: the button says
// whether they are shown). The CSS folds them only on narrow screens; without this file they are always shown.
(function () {
  var header = document.querySelector(".site-header");
  var button = header && header.querySelector(".menu-toggle");
  if (!button) {
    return;
  }
  function setOpen(open) {
    header.setAttribute("data-menu", open ? "open" : "closed");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  setOpen(false);
  button.hidden = false;
  button.addEventListener("click", function () {
    setOpen(header.getAttribute("data-menu") !== "open");
  });
  // Escape inside the open menu folds it and brings the keyboard back to the button.
  header.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && header.getAttribute("data-menu") === "open" && window.getComputedStyle(button).display !== "none") {
      setOpen(false);
      button.focus();
    }
  });
})();

// A text box with a limit (data-limit) counts what is typed beside it, and says when it is over the limit, so nobody
// learns the limit only from a refusal. The limit itself is stated in the field's help text for everybody.
function countCharacters(root) {
  // Numbers are written the Norwegian way in both languages, as the server writes them (bergen_rus.formats).
  function written(number) {
    return number.toLocaleString("nb-NO").replace(/\u202f/g, "\u00a0");
  }
  var body = document.body;
  (root || document).querySelectorAll("textarea[data-limit]").forEach(function (box) {
    if (box.hasAttribute("data-counted")) {
      return;
    }
    box.setAttribute("data-counted", "");
    var limit = parseInt(box.getAttribute("data-limit"), 10);
    var counter = document.createElement("p");
    counter.className = "ds-paragraph char-count";
    counter.setAttribute("data-size", "sm");
    box.insertAdjacentElement("afterend", counter);
    function update() {
      var count = box.value.length;
      var over = count - limit;
      var template = body.getAttribute(over > 0 ? "data-char-count-over" : "data-char-count") || "{count} / {limit}";
      counter.textContent = template
        .replace("{count}", written(count))
        .replace("{limit}", written(limit))
        .replace("{over}", written(over));
      counter.classList.toggle("char-count--over", over > 0);
    }
    box.addEventListener("input", update);
    update();
  });
}
document.addEventListener("DOMContentLoaded", function () {
  countCharacters(document);
});
document.addEventListener("htmx:load", function (event) {
  countCharacters(event.detail.elt);
});
