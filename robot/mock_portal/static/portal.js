/* Mock SECOP II: the lupa pop-ups of Registro de Proveedor (vanilla JS, no framework).
 *
 * On the form: buttons with data-lookup-url open a pop-up; window.secopAddUnspsc(code, name)
 * adds a UNSPSC row; the País select shows departamento/municipio or ciudad.
 * In a pop-up: buttons with data-select set the opener's fields and close the pop-up.
 */
(function () {
  "use strict";

  var POPUP_FEATURES = "width=780,height=620,scrollbars=yes,resizable=yes";

  function byId(doc, id) {
    return doc.getElementById(id);
  }

  function setValue(doc, id, value) {
    var el = byId(doc, id);
    if (el) {
      el.value = value;
      el.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  // --- on the form ------------------------------------------------------------------------

  function openLookup(button) {
    var href = button.getAttribute("data-lookup-url");
    var depField = button.getAttribute("data-departamento-field");
    var dep = depField ? byId(document, depField) : null;
    if (dep && dep.value) {
      href += (href.indexOf("?") < 0 ? "?" : "&") + "selDepartamento=" + encodeURIComponent(dep.value);
    }
    window.open(href, "secopLupa", POPUP_FEATURES);
  }

  function cell(row, child) {
    var td = document.createElement("td");
    if (typeof child === "string") {
      td.textContent = child;
    } else {
      child.forEach(function (c) { td.appendChild(c); });
    }
    row.appendChild(td);
    return td;
  }

  function element(tag, attrs, text) {
    var el = document.createElement(tag);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text) { el.textContent = text; }
    return el;
  }

  /* Add a UNSPSC code to the form's table; the first one becomes the principal. */
  window.secopAddUnspsc = function (code, name) {
    var body = document.querySelector("#tblUnspsc tbody");
    if (!body || byId(document, "trUnspsc_" + code)) { return false; }
    var empty = byId(document, "trUnspscEmpty");
    if (empty) { empty.remove(); }
    var first = !document.querySelector("input[name=rdbPrincipal]:checked");
    var row = element("tr", { id: "trUnspsc_" + code, "data-code": code });
    cell(row, [
      element("span", { id: "spnUnspscCode_" + code }, code),
      element("input", { type: "hidden", name: "unspsc", value: code })
    ]);
    cell(row, name);
    var radio = element("input", { type: "radio", id: "rdbPrincipal_" + code, name: "rdbPrincipal", value: code });
    radio.checked = first;
    var label = element("label", { "for": "rdbPrincipal_" + code }, "Principal ");
    label.appendChild(element("span", { "class": "VisuallyHidden" }, code));
    cell(row, [radio, label]);
    cell(row, [element("button", {
      type: "submit", id: "btnRemoveUnspsc_" + code, name: "action", value: "quitar:" + code,
      "class": "Secondary", "aria-label": "Quitar " + code
    }, "Quitar")]);
    body.appendChild(row);
    return true;
  };

  function showCountryRows() {
    var country = byId(document, "selCountry");
    if (!country) { return; }
    var colombia = country.value === "CO";
    document.querySelectorAll("tr[data-country]").forEach(function (tr) {
      tr.hidden = (tr.getAttribute("data-country") === "CO") !== colombia;
    });
  }

  // --- in a pop-up ------------------------------------------------------------------------

  function hasOpener() {
    try {
      return Boolean(window.opener && !window.opener.closed && window.opener.document);
    } catch (e) {
      return false;
    }
  }

  function selectMunicipio(d) {
    var doc = window.opener.document;
    setValue(doc, "hdnDepartamentoCode", d.depCode);
    setValue(doc, "txtDepartamento", d.depName);
    setValue(doc, "hdnMunicipioCode", d.munCode);
    setValue(doc, "txtMunicipio", d.munName);
  }

  function choose(button) {
    var d = button.dataset;
    if (!hasOpener()) {
      var box = byId(document, "divSelected");
      byId(document, "divNoOpener").hidden = false;
      box.textContent = "Seleccionado: " + (d.select === "municipio"
        ? d.munName + " (" + d.depName + "), código DANE " + d.munCode
        : d.code + " " + d.name);
      box.hidden = false;
      return;
    }
    if (d.select === "municipio") {
      selectMunicipio(d);
    } else {
      window.opener.secopAddUnspsc(d.code, d.name);
    }
    window.close();
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) { return; }
    if (target.hasAttribute("data-lookup-url")) {
      event.preventDefault();
      openLookup(target);
    } else if (target.hasAttribute("data-select")) {
      event.preventDefault();
      choose(target);
    } else if (target.hasAttribute("data-close-popup")) {
      window.close();
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.id === "selCountry") { showCountryRows(); }
  });
})();
