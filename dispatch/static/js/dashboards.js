/*
 * Dashboards (统计分析): draw each chart from the options the server embedded.
 *
 * The page carries every chart's ECharts option in <script type="application/json"
 * id="dashboard-data"> (data, not code: the CSP allows no inline script); each element
 * with data-chart="key" gets the option of that key. When a chart has drawn, its element
 * is marked data-rendered="1" (the browser tests wait for it). The numbers are also in
 * each chart's table, so nothing is lost without JavaScript.
 */
(function () {
  "use strict";

  var block = document.getElementById("dashboard-data");
  if (!block || typeof echarts === "undefined") {
    return;
  }
  var options = JSON.parse(block.textContent);
  var charts = [];

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var option = options[element.getAttribute("data-chart")];
    if (!option) {
      return;
    }
    var chart = echarts.init(element, null, { renderer: "canvas", locale: "ZH" });
    chart.on("finished", function () {
      element.setAttribute("data-rendered", "1");
    });
    chart.setOption(option);
    charts.push(chart);
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      chart.resize();
    });
  });
})();
