/* global document, window */
// "Validate your Bundle": posts the pasted or uploaded Bundle to the guide's endpoint and shows
// every issue. Without JavaScript the form posts itself and the server renders the same table.
(function () {
  'use strict';
  var form = document.getElementById('validate-form');
  var result = document.getElementById('result');
  if (!form || !result || !window.fetch) return;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function ruleOf(issue) {
    var codings = (issue.details && issue.details.coding) || [];
    for (var i = 0; i < codings.length; i++) {
      if (codings[i].system === 'http://ngc.dk/fhir/genomics/CodeSystem/ngc-validation-rule') return codings[i].code;
    }
    return null;
  }

  function show(status, outcome) {
    result.textContent = '';
    var issues = (outcome && outcome.issue) || [];
    var errors = issues.filter(function (i) { return i.severity === 'error' || i.severity === 'fatal'; }).length;
    var warnings = issues.filter(function (i) { return i.severity === 'warning'; }).length;
    var valid = status === 200 && errors === 0;
    var h = el('h2', { id: 'verdict' });
    var badge = el('span', { 'class': 'verdict verdict-' + (valid ? 'valid' : 'invalid') }, valid ? 'valid' : 'invalid');
    h.appendChild(badge);
    h.appendChild(document.createTextNode(' ' + errors + ' error(s), ' + warnings + ' warning(s)' + (status !== 200 ? ' (HTTP ' + status + ')' : '')));
    result.appendChild(h);
    var table = el('table', { 'class': 'issues' });
    var head = el('tr');
    ['Severity', 'Rule', 'Where', 'What is wrong', 'Dansk'].forEach(function (t) { head.appendChild(el('th', { scope: 'col' }, t)); });
    var thead = el('thead'); thead.appendChild(head); table.appendChild(thead);
    var tbody = el('tbody');
    issues.forEach(function (issue) {
      var tr = el('tr');
      var sev = el('td'); sev.appendChild(el('span', { 'class': 'severity severity-' + issue.severity }, issue.severity)); tr.appendChild(sev);
      var rule = ruleOf(issue);
      var rc = el('td');
      if (rule) rc.appendChild(el('a', { 'class': 'rule', href: 'rules.html#' + encodeURIComponent(rule) }, rule));
      else rc.appendChild(el('span', { title: 'FHIR R4 issue type' }, issue.code));
      tr.appendChild(rc);
      var where = el('td'); where.appendChild(el('code', {}, (issue.expression || []).join(', '))); tr.appendChild(where);
      tr.appendChild(el('td', {}, issue.diagnostics || ''));
      tr.appendChild(el('td', { lang: 'da' }, (issue.details && issue.details.text) || ''));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    var wrap = el('div', { 'class': 'table-wrap' }); wrap.appendChild(table);
    result.appendChild(wrap);
    h.setAttribute('tabindex', '-1');
    h.focus();
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var button = form.querySelector('button');
    var fileInput = document.getElementById('file');
    var file = fileInput && fileInput.files && fileInput.files[0];
    var bodyPromise = file ? file.text() : Promise.resolve(document.getElementById('bundle').value);
    button.disabled = true;
    result.textContent = 'Validating…';
    bodyPromise
      .then(function (body) {
        return fetch(form.getAttribute('action'), {
          method: 'POST',
          headers: { 'Content-Type': 'application/fhir+json', Accept: 'application/fhir+json' },
          body: body,
        });
      })
      .then(function (response) {
        return response.json().then(function (outcome) { show(response.status, outcome); });
      })
      .catch(function (err) {
        result.textContent = 'The validation request failed: ' + err.message;
      })
      .then(function () { button.disabled = false; });
  });
})();
