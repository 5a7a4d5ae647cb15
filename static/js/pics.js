// Gallery page: upload a picture straight to S3 with a progress bar, then register it.
// The API's URLs come from the page (data attributes filled by url_for), never hard-coded.
const section = document.getElementById("upload");
const form = document.getElementById("upload-form");
const fileInput = document.getElementById("upload-file");
const captionInput = document.getElementById("upload-caption");
const progressBox = document.getElementById("upload-progress-box");
const progress = document.getElementById("upload-progress");
const status = document.getElementById("upload-status");
const error = document.getElementById("upload-error");
const gallery = document.getElementById("gallery");
const cancel = document.getElementById("upload-cancel");
const drop = document.getElementById("upload-drop");

// The accepted types come from the server's one list (catsite.pictures.images), via the page.
const TYPES = section.dataset.types.split(",");
const TYPE_NAMES = section.dataset.typeNames;
const maxBytes = Number(section.dataset.maxBytes);

const megabytes = (n) => `${(n / 1e6).toFixed(1)} MB`;

function explain(body, status) {
  const busy = globalThis.catsite.busyMessage(status);
  if (busy) return busy;
  if (body && body.errors) return Object.values(body.errors).flat().join(" ");
  if (body && body.message) return body.message;
  return `The upload failed (HTTP ${status}). Please try again.`;
}

async function readJson(response) {
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(explain(body, response.status));
  return body;
}

async function postJson(url, payload) {
  const response = await globalThis.catsite.fetchRetrying(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(payload),
  });
  return readJson(response);
}

// Cancelling is the visitor's choice, not a failure: it is told as status, not as an error.
class Cancelled extends Error {}

// The upload in flight (its XMLHttpRequest), so "Cancel upload" can abort it.
let inFlight = null;
// Asked to cancel before the file started to travel (while the upload was being presigned).
let cancelAsked = false;

// XMLHttpRequest, not fetch: only it reports upload progress.
function sendToS3(presigned, file, onProgress) {
  return new Promise((resolve, reject) => {
    const data = new FormData();
    for (const [name, value] of Object.entries(presigned.fields)) data.append(name, value);
    data.append("file", file); // S3 requires the file to be the last field
    const xhr = new XMLHttpRequest();
    inFlight = xhr;
    xhr.open("POST", presigned.url);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else if (xhr.responseText.includes("EntityTooLarge")) reject(new Error("This file is too big to upload here."));
      else reject(new Error(`The picture store refused the file (HTTP ${xhr.status}). Please try again.`));
    });
    xhr.addEventListener("error", () => reject(new Error("The upload was interrupted. Please try again.")));
    xhr.addEventListener("abort", () => reject(new Cancelled()));
    xhr.send(data);
  });
}

function showProgress(loaded, total) {
  const percent = total ? Math.floor((loaded / total) * 100) : 0;
  progress.value = percent;
  status.textContent = `${percent}% · ${megabytes(loaded)} of ${megabytes(total)}`;
}

function hideProgress() {
  progressBox.hidden = true;
  progress.value = 0;
}

function addToGallery(picture) {
  const item = document.createElement("li");
  const figure = document.createElement("figure");
  const link = document.createElement("a");
  const image = document.createElement("img");
  link.href = section.dataset.picturePage.replace("PICTURE_ID", picture.id);
  image.src = picture.thumb_url;
  image.width = picture.thumb_width;
  image.height = picture.thumb_height;
  image.alt = picture.caption || "A cat picture";
  image.decoding = "async";
  link.append(image);
  figure.append(link);
  const caption = document.createElement("figcaption");
  caption.textContent = picture.caption || "Untitled";
  if (!picture.caption) caption.className = "untitled";
  figure.append(caption);
  item.append(figure);
  gallery.prepend(item);
}

function refusal(file) {
  if (!file) return "Choose a picture first.";
  if (!TYPES.includes(file.type)) return `That file is not a ${TYPE_NAMES} picture.`;
  if (file.size === 0) return "That file is empty.";
  if (file.size > maxBytes) return `That file is ${megabytes(file.size)}; at most ${megabytes(maxBytes)} is accepted.`;
  return null;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = fileInput.files[0];
  const problem = refusal(file);
  error.textContent = problem || "";
  status.textContent = "";
  if (problem) {
    hideProgress();
    return;
  }
  form.setAttribute("aria-busy", "true");
  progressBox.hidden = false;
  cancel.hidden = false;
  cancelAsked = false;
  showProgress(0, file.size);
  try {
    const presigned = await postJson(section.dataset.uploads, {
      filename: file.name,
      content_type: file.type,
      bytes: file.size,
    });
    if (cancelAsked) throw new Cancelled();
    await sendToS3(presigned, file, showProgress);
    inFlight = null;
    cancel.hidden = true;
    status.textContent = "Checking the picture…";
    const picture = await postJson(section.dataset.register, {
      location: presigned.location,
      caption: captionInput.value,
    });
    addToGallery(picture);
    status.textContent = "Added to the gallery.";
    form.reset();
  } catch (problem) {
    // A refusal is not a success: the bar goes away rather than stay full above the message.
    hideProgress();
    const cancelled = problem instanceof Cancelled;
    status.textContent = cancelled ? "Upload cancelled. Nothing was added." : "";
    error.textContent = cancelled ? "" : problem.message;
  } finally {
    inFlight = null;
    cancel.hidden = true;
    form.removeAttribute("aria-busy");
  }
});

cancel.addEventListener("click", () => {
  if (inFlight) inFlight.abort();
  else cancelAsked = true;
});

// Drag and drop onto the upload area: the dropped file becomes the file input's choice.
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  if (!event.dataTransfer || event.dataTransfer.files.length === 0) return;
  fileInput.files = event.dataTransfer.files;
  error.textContent = "";
  status.textContent = `Ready to upload ${fileInput.files[0].name}.`;
  hideProgress();
});

// "Download all": the archive is built by a job; its progress comes from polling the job.
const archive = document.getElementById("archive");
const archiveStart = document.getElementById("archive-start");
const archiveBox = document.getElementById("archive-progress-box");
const archiveBar = document.getElementById("archive-progress");
const archiveStatus = document.getElementById("archive-status");
const archiveReady = document.getElementById("archive-ready");
const archiveLink = document.getElementById("archive-link");
const archiveError = document.getElementById("archive-error");
const POLL_MS = 1000;

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function watchJob(statusUrl) {
  for (;;) {
    const job = await readJson(
      await globalThis.catsite.fetchRetrying(statusUrl, { headers: { Accept: "application/json" } }),
    );
    const percent = Math.floor((job.progress || 0) * 100);
    archiveBar.value = percent;
    archiveStatus.textContent = `${percent}% · ${job.message || job.status}`;
    if (job.status === "done") return job.result;
    if (job.status === "failed") throw new Error(job.reason || "The archive could not be made.");
    await pause(POLL_MS);
  }
}

archiveStart.addEventListener("click", async () => {
  archiveStart.disabled = true;
  archiveError.textContent = "";
  archiveReady.hidden = true;
  archiveBox.hidden = false;
  archiveBar.value = 0;
  archiveStatus.textContent = "Starting…";
  try {
    const started = await readJson(
      await globalThis.catsite.fetchRetrying(archive.dataset.archive, {
        method: "POST",
        headers: { Accept: "application/json", Prefer: "respond-async" },
      }),
    );
    // 200: an archive of exactly these pictures exists already; 202: a job is making it.
    const result = started.status_url ? await watchJob(started.status_url) : started;
    archiveLink.href = result.url;
    archiveLink.textContent = `Download the archive (${result.count} pictures, ${megabytes(result.bytes)})`;
    archiveReady.hidden = false;
  } catch (problem) {
    archiveError.textContent = problem.message;
  } finally {
    archiveStart.disabled = false;
  }
});
