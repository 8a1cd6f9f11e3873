// Find a person: refresh the "Likely matches" panel as the user types (progressive enhancement: without
// this script the same panel comes with the results when the form is submitted). Each refresh asks
// /people/match/ with the form's fields, at most once per pause in typing; the server audits each ask.
const form = document.querySelector("[data-match-as-you-type]");
const panel = document.getElementById("likely-matches");
if (form && panel) {
  let timer;
  let latest = 0;
  const refresh = async () => {
    const ask = ++latest;
    const params = new URLSearchParams(new FormData(form));
    const response = await fetch(`${form.dataset.matchAsYouType}?${params}`, {
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    });
    if (response.ok && ask === latest) {
      panel.innerHTML = await response.text();
    }
  };
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
}
