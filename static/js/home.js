// Home page: change what the cat says without a reload.
// The API's URL comes from the page (data-api, filled by url_for), so it is right behind
// every front door and stage prefix. Without JavaScript the form posts to the page instead.
const form = document.getElementById("say-form");
const input = document.getElementById("says-input");
const says = document.getElementById("says");
const error = document.getElementById("say-error");

function explain(body, status) {
  const busy = globalThis.catsite.busyMessage(status);
  if (busy) return busy;
  if (body && body.errors && body.errors.says) return body.errors.says.join(" ");
  if (body && body.message) return body.message;
  return `The cat could not hear you (HTTP ${status}). Please try again.`;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = input.value;
  if (!text.trim()) {
    error.textContent = "Type something for the cat to say.";
    input.focus();
    return;
  }
  error.textContent = "";
  form.setAttribute("aria-busy", "true");
  try {
    const response = await globalThis.catsite.fetchRetrying(form.dataset.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ says: text }),
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      error.textContent = explain(body, response.status);
      return;
    }
    says.textContent = body.says;
    input.value = "";
  } catch {
    error.textContent = "The network is not answering. Please try again.";
  } finally {
    form.removeAttribute("aria-busy");
  }
});
