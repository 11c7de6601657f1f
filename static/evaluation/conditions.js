/* Measurement form: show a follow-up question ("Indien ja, ...") only when
   the answer above calls for it, and "if no: reason why not" only next to a
   no. The server decides the same on every save, so the form works without
   this file; it only spares a round trip. Loaded as a static file: the
   Content Security Policy allows no inline script. */
(function () {
  "use strict";
  var form = document.getElementById("measurement-form");
  if (!form) {
    return;
  }

  function valueOf(name) {
    var field = form.elements.namedItem(name);
    return field && "value" in field ? field.value : null;
  }

  function keepsInput(box) {
    if (box.querySelector(".errorlist")) {
      return true;
    }
    return Array.prototype.some.call(
      box.querySelectorAll("input, select, textarea"),
      function (field) { return field.value !== ""; }
    );
  }

  function update() {
    form.querySelectorAll("fieldset[data-condition-var]").forEach(function (set) {
      var above = set.getAttribute("data-condition-var");
      var answer = valueOf("v_" + above);
      if (answer === null) {
        return; /* a registered value: the server already decided */
      }
      var missing = valueOf("m_" + above);
      var notCalledFor = Boolean(missing) ||
        (answer !== "" && answer !== set.getAttribute("data-condition-answer"));
      set.hidden = notCalledFor && !keepsInput(set);
    });
    form.querySelectorAll("[data-reason-for]").forEach(function (box) {
      var answer = valueOf(box.getAttribute("data-reason-for"));
      box.hidden = answer !== "no" && !keepsInput(box);
    });
  }

  form.addEventListener("change", update);
  update();
}());
