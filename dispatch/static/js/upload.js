/*
 * Evidence uploads with a progress bar.
 *
 * Forms marked data-upload are sent with XMLHttpRequest so that the upload's progress
 * events can move the bar; the form's own fields (its CSRF token included) go as they are.
 * The server answers such a request with the address to go to ({"location": ...}) instead
 * of a redirect, so the messages it flashed are shown by that page. Without JavaScript,
 * or in a browser without FormData, the form posts as a plain form.
 */
(function () {
  "use strict";

  var MB = 1024 * 1024;

  function go(location) {
    var target = new URL(location, window.location.href);
    var here = window.location;
    if (target.pathname === here.pathname && target.search === here.search) {
      // Only the fragment differs: assigning would scroll, not reload the page.
      here.hash = target.hash;
      here.reload();
    } else {
      here.assign(target.href);
    }
  }

  function setUp(form) {
    var box = form.querySelector("[data-upload-progress]");
    var bar = box ? box.querySelector(".progress-bar") : null;
    var status = form.querySelector("[data-upload-status]");
    var button = form.querySelector("button[type=submit]");
    var limit = parseInt(form.getAttribute("data-max-mb") || "0", 10) * MB;

    function say(text, failed) {
      if (!status) return;
      status.textContent = text;
      status.className = "small " + (failed ? "text-danger-emphasis" : "text-muted");
    }

    function show(percent) {
      box.classList.remove("d-none");
      box.setAttribute("aria-valuenow", String(percent));
      bar.style.width = percent + "%";
      bar.textContent = percent + "%";
    }

    function fail(text) {
      say(text, true);
      if (button) button.disabled = false;
      box.classList.add("d-none");
    }

    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest || !box || !bar) return;
      var chosen = [];
      form.querySelectorAll("input[type=file]").forEach(function (input) {
        Array.prototype.push.apply(chosen, input.files || []);
      });
      var tooLarge = chosen.filter(function (file) { return limit && file.size > limit; });
      if (tooLarge.length) {
        event.preventDefault();
        say("文件“" + tooLarge.map(function (f) { return f.name; }).join("”“") +
            "”超过大小上限 " + limit / MB + " MB，请重新选择", true);
        return;
      }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      var token = form.querySelector("input[name=csrf_token]");
      if (token) xhr.setRequestHeader("X-CSRFToken", token.value);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) show(Math.round((e.loaded / e.total) * 100));
      });
      xhr.upload.addEventListener("load", function () {
        show(100);
        say("已传输完毕，正在检查文件…", false);
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 200) {
          try {
            go(JSON.parse(xhr.responseText).location);
            return;
          } catch (ignored) {
            /* not the answer expected: reported below */
          }
        }
        var message = null;
        if (xhr.status === 413) {
          try {
            message = JSON.parse(xhr.responseText).error;
          } catch (ignored) {
            /* an answer from a proxy in front of the app: the general message below */
          }
        }
        fail(message || (xhr.status === 413 ? "文件超过大小限制，未能上传" :
             "上传失败（HTTP " + xhr.status + "），请刷新页面后重试"));
      });
      xhr.addEventListener("error", function () {
        fail("网络错误，上传未完成，请重试");
      });
      if (button) button.disabled = true;
      show(0);
      say("正在上传…", false);
      xhr.send(new FormData(form));
    });
  }

  document.querySelectorAll("form[data-upload]").forEach(setUp);
})();
