// "Show More" loads the next page in place; without JavaScript it is a plain link.
document.addEventListener("click", async (event) => {
  const link = event.target.closest("a.show-more");
  if (!link) return;
  event.preventDefault();
  link.textContent = "Loading…";
  try {
    const response = await fetch(link.href, { headers: { Accept: "text/html" } });
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    document.getElementById("entries").append(...page.querySelectorAll("#entries > li"));
    const next = page.querySelector("a.show-more");
    if (next) { link.href = next.href; link.textContent = "Show More"; } else { link.parentElement.remove(); }
  } catch (error) {
    window.location.href = link.href;
  }
});
