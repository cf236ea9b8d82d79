// The error page's two buttons: back keeps what the user typed (the browser restores the form),
// retry reloads, which resubmits a POST after the browser asks.
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-action]");
  if (!link) return;
  event.preventDefault();
  if (link.dataset.action === "back") {
    window.history.back();
  } else if (link.dataset.action === "retry") {
    window.location.reload();
  }
});
