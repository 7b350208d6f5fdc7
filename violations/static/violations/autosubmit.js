// Submit a form when a <select data-autosubmit> changes. Lives in a file, not an onchange
// attribute, so the content security policy can forbid inline script.
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target && target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});
