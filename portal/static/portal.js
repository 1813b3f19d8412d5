// Search-box autocomplete: an ARIA combobox with a listbox of suggestions, keyboard first.
// Text is only ever set with textContent, so a suggestion can never inject markup.
(function () {
  "use strict";

  var input = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  if (!input || !list || !window.fetch) { return; }
  var localeSelect = document.getElementById("locale");
  var url = input.getAttribute("data-suggest-url");
  var items = [];
  var active = -1;
  var timer = null;
  var latest = 0;

  function locale() {
    return localeSelect ? localeSelect.value : (document.documentElement.getAttribute("lang") || "en");
  }

  function close() {
    list.hidden = true;
    list.textContent = "";
    items = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    items.forEach(function (item, i) { item.el.setAttribute("aria-selected", i === index ? "true" : "false"); });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", items[index].el.id);
      items[index].el.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function go(index) {
    if (index >= 0 && index < items.length) { window.location.assign(items[index].href); }
  }

  function show(suggestions) {
    list.textContent = "";
    items = suggestions.map(function (s, i) {
      var li = document.createElement("li");
      li.id = "q-suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.textContent = s.title;
      li.addEventListener("mousedown", function (event) { event.preventDefault(); go(i); });
      list.appendChild(li);
      return { el: li, href: s.href };
    });
    active = -1;
    var open = items.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function fetchSuggestions() {
    var prefix = input.value.trim();
    if (prefix.length < 2) { close(); return; }
    var ticket = ++latest;
    var query = "?q=" + encodeURIComponent(prefix) + "&locale=" + encodeURIComponent(locale());
    fetch(url + query, { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (data) { if (ticket === latest) { show(data.suggestions || []); } })
      .catch(close);
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(fetchSuggestions, 120);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      if (list.hidden) { fetchSuggestions(); return; }
      event.preventDefault();
      highlight(active + 1 >= items.length ? 0 : active + 1);
    } else if (event.key === "ArrowUp") {
      if (list.hidden) { return; }
      event.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter") {
      if (!list.hidden && active >= 0) { event.preventDefault(); go(active); }
    } else if (event.key === "Escape") {
      if (!list.hidden) { event.preventDefault(); close(); }
    }
  });

  input.addEventListener("blur", function () { window.setTimeout(close, 100); });
  if (localeSelect) { localeSelect.addEventListener("change", close); }
}());
