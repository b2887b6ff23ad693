// E-form behaviour of the procedures pages: add rows to repeatable groups, show conditional fields.
(function () {
  "use strict";

  function addRow(button) {
    var group = button.closest(".ef-repeat");
    if (!group) { return; }
    var template = group.querySelector("template.ef-row-template");
    var rows = group.querySelector(".ef-rows");
    var index = parseInt(group.getAttribute("data-next-index") || "0", 10);
    var html = template.innerHTML.split("__INDEX__").join(String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    while (holder.firstChild) { rows.appendChild(holder.firstChild); }
    group.setAttribute("data-next-index", String(index + 1));
    var first = rows.lastElementChild && rows.lastElementChild.querySelector("input, select");
    if (first) { first.focus(); }
  }

  function currentValue(form, name) {
    var inputs = form.querySelectorAll("[name]");
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if (el.name !== name) { continue; }
      if (el.type === "checkbox") { return el.checked ? "true" : "false"; }
      return el.value;
    }
    return "";
  }

  function refreshConditions(form) {
    var dependants = form.querySelectorAll("[data-show-when]");
    for (var i = 0; i < dependants.length; i++) {
      var el = dependants[i];
      var wanted = el.getAttribute("data-show-value");
      var shown = currentValue(form, el.getAttribute("data-show-when")) === wanted;
      // Fields holding an error stay visible so the applicant can see what to fix.
      el.hidden = !shown && !el.querySelector(".ef-error");
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".ef-add-row");
    if (button) {
      event.preventDefault();
      addRow(button);
    }
  });

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form.eform");
    if (form) { refreshConditions(form); }
  });

  var forms = document.querySelectorAll("form.eform");
  for (var i = 0; i < forms.length; i++) { refreshConditions(forms[i]); }
})();
