/* Onca network view: pan, zoom and details for one inline SVG network drawn by
   onca.network._view. No dependencies, nothing fetched; every text shown comes from data-tip
   attributes and is set with textContent, never parsed as HTML. */
window.oncaNetwork = window.oncaNetwork || function (id) {
  "use strict";
  var root = document.getElementById(id);
  if (!root || root.getAttribute("data-ready")) return;
  root.setAttribute("data-ready", "1");
  var svg = root.querySelector("svg");
  var viewport = root.querySelector(".onca-net-vp");
  var stage = root.querySelector(".onca-net-stage");
  var tip = root.querySelector(".onca-net-tip");
  var live = root.querySelector(".onca-net-live");
  var box = svg.viewBox.baseVal;
  var view = { x: 0, y: 0, k: 1 };

  function apply() {
    viewport.setAttribute("transform",
      "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
  }
  function svgPoint(evt) {
    var p = svg.createSVGPoint();
    p.x = evt.clientX; p.y = evt.clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  }
  function zoom(factor, cx, cy) {
    var k = Math.min(16, Math.max(0.25, view.k * factor));
    factor = k / view.k;
    view.x = cx - (cx - view.x) * factor;
    view.y = cy - (cy - view.y) * factor;
    view.k = k;
    apply();
  }
  function zoomCentre(factor) { zoom(factor, box.x + box.width / 2, box.y + box.height / 2); }
  function reset() { view = { x: 0, y: 0, k: 1 }; apply(); }

  root.querySelectorAll("button[data-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      var act = button.getAttribute("data-zoom");
      if (act === "reset") reset(); else zoomCentre(act === "in" ? 1.4 : 1 / 1.4);
    });
  });
  svg.addEventListener("wheel", function (evt) {
    evt.preventDefault();
    var p = svgPoint(evt);
    zoom(evt.deltaY < 0 ? 1.15 : 1 / 1.15, p.x, p.y);
  }, { passive: false });

  var drag = null;
  svg.addEventListener("pointerdown", function (evt) {
    if (evt.button !== 0) return;
    var p = svgPoint(evt);
    drag = { x: p.x - view.x, y: p.y - view.y, id: evt.pointerId, moved: false };
  });
  svg.addEventListener("pointermove", function (evt) {
    if (!drag) return;
    if (!drag.moved) { drag.moved = true; svg.setPointerCapture(drag.id); svg.classList.add("dragging"); hide(); }
    var p = svgPoint(evt);
    view.x = p.x - drag.x; view.y = p.y - drag.y;
    apply();
  });
  function endDrag() { drag = null; svg.classList.remove("dragging"); }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);

  var step = 40;
  var keys = {
    "+": function () { zoomCentre(1.4); }, "=": function () { zoomCentre(1.4); },
    "-": function () { zoomCentre(1 / 1.4); }, "0": reset,
    "ArrowLeft": function () { view.x += step; apply(); },
    "ArrowRight": function () { view.x -= step; apply(); },
    "ArrowUp": function () { view.y += step; apply(); },
    "ArrowDown": function () { view.y -= step; apply(); }
  };
  root.addEventListener("keydown", function (evt) {
    if (evt.key === "Escape") { hide(); return; }
    if (!svg.contains(evt.target) || !keys[evt.key]) return;
    evt.preventDefault();
    keys[evt.key]();
  });

  function show(el, evt) {
    tip.textContent = el.getAttribute("data-tip");
    tip.style.display = "block";
    var frame = stage.getBoundingClientRect();
    var at = evt ? { x: evt.clientX, y: evt.clientY } : (function () {
      var b = el.getBoundingClientRect();
      return { x: b.right, y: b.top };
    })();
    var left = Math.min(at.x - frame.left + 14, frame.width - tip.offsetWidth - 4);
    var top = Math.min(at.y - frame.top + 14, frame.height - tip.offsetHeight - 4);
    tip.style.left = Math.max(4, left) + "px";
    tip.style.top = Math.max(4, top) + "px";
  }
  function hide() { tip.style.display = "none"; }

  var nodes = root.querySelectorAll("g.n");
  var edges = root.querySelectorAll("line.e");
  var incident = {};
  edges.forEach(function (line) {
    ["data-s", "data-t"].forEach(function (end) {
      var i = line.getAttribute(end);
      (incident[i] = incident[i] || []).push(line);
    });
  });
  function highlight(i) {
    root.classList.add("focus");
    nodes[i].classList.add("hi");
    (incident[i] || []).forEach(function (line) {
      line.classList.add("hi");
      nodes[line.getAttribute("data-s")].classList.add("hi");
      nodes[line.getAttribute("data-t")].classList.add("hi");
    });
  }
  function clear() {
    root.classList.remove("focus");
    root.querySelectorAll(".hi").forEach(function (el) { el.classList.remove("hi"); });
  }
  nodes.forEach(function (node) {
    var i = node.getAttribute("data-i");
    node.addEventListener("pointerenter", function (evt) { if (!drag) { highlight(i); show(node, evt); } });
    node.addEventListener("pointerleave", function () { clear(); hide(); });
    node.addEventListener("focus", function () {
      highlight(i); show(node); live.textContent = node.getAttribute("data-tip");
    });
    node.addEventListener("blur", function () { clear(); hide(); });
  });
  edges.forEach(function (line) {
    line.addEventListener("pointerenter", function (evt) { if (!drag) { line.classList.add("hov"); show(line, evt); } });
    line.addEventListener("pointerleave", function () { line.classList.remove("hov"); hide(); });
  });
};
