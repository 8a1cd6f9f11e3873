// Find a person: refresh the "Likely matches" panel as the user types (progressive enhancement: without
// this script the same panel comes with the results when the form is submitted). Each refresh asks
// /people/match/ with the form's fields, at most once per pause in typing; the server audits each ask.
const form = document.querySelector("[data-match-as-you-type]");
const panel = document.getElementById("likely-matches");
if (form && panel) {
  let timer;
  let latest = 0;
  let inflight = null;
  const refresh = async () => {
    const ask = ++latest;
    const params = new URLSearchParams(new FormData(form));
    const response = await fetch(`${form.dataset.matchAsYouType}?${params}`, {
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    });
    const html = response.ok ? await response.text() : null;
    if (html !== null && ask === latest) {
      panel.innerHTML = html;
    }
  };
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      inflight = refresh().finally(() => {
        inflight = null;
      });
    }, 400);
  });
  // Submitting runs the same match with the results: no refresh is started, and one under way is
  // let finish first rather than cut off by the page changing.
  form.addEventListener("submit", (event) => {
    clearTimeout(timer);
    if (inflight) {
      event.preventDefault();
      inflight.catch(() => {}).then(() => form.submit());
    }
  });
}
