import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JobSummary, ReportData } from './aggregate';

/**
 * `jobnet report` as one self-contained HTML file: Chart.js's UMD build and the figures are
 * inlined, so the file opens offline from file:// and can be mailed or archived as is.
 */

/** The UMD build (defines `window.Chart`); the package's exports map does not list it, its main file sits beside it. */
export function chartJsSource(): string {
  return readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}

/** Text inside an inline <script> must not close it early. */
function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}

function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '–';
  if (seconds < 60) return `${Math.round(seconds * 10) / 10}s`;
  const rounded = Math.round(seconds);
  const h = Math.floor(rounded / 3600);
  const m = Math.floor((rounded % 3600) / 60);
  const s = rounded % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}

function jobRow(job: JobSummary): string {
  const cells = [
    html(job.job),
    String(job.runs),
    String(job.succeeded),
    String(job.failed),
    job.failureRate === null ? '–' : `${job.failureRate}%`,
    formatSeconds(job.meanDurationSeconds),
    job.records.toLocaleString('en-US'),
    job.lastRun ? `${html(job.lastRun.workflowId)} <span class="status-${html(job.lastRun.status)}">${html(job.lastRun.status)}</span>` : '–',
  ];
  return `<tr>${cells.map((cell, i) => `<td${i > 0 && i < 7 ? ' class="num"' : ''}>${cell}</td>`).join('')}</tr>`;
}

/** The page's own script: four charts from the embedded figures. Plain ES2017, no modules. */
const CHARTS_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('jobnet-report-data').textContent);
  var palette = ['#2563eb', '#d97706', '#059669', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#dc2626', '#4b5563', '#a16207'];
  function color(i) { return palette[i % palette.length]; }
  function duration(seconds) {
    if (seconds < 60) return Math.round(seconds * 10) / 10 + 's';
    var s = Math.round(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return h > 0 ? h + 'h' + String(m).padStart(2, '0') + 'm' : m + 'm' + String(s % 60).padStart(2, '0') + 's';
  }
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  new Chart(document.getElementById('chart-runs-per-day'), {
    type: 'bar',
    data: {
      labels: data.runsPerDay.days,
      datasets: [
        { label: 'succeeded', data: data.runsPerDay.succeeded, backgroundColor: '#16a34a' },
        { label: 'failed', data: data.runsPerDay.failed, backgroundColor: '#dc2626' },
        { label: 'running', data: data.runsPerDay.running, backgroundColor: '#9ca3af' }
      ]
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'runs' } } } }
  });
  new Chart(document.getElementById('chart-mean-duration'), {
    type: 'line',
    data: {
      labels: data.meanDuration.days,
      datasets: data.meanDuration.series.map(function (s, i) {
        return { label: s.job, data: s.values, borderColor: color(i), backgroundColor: color(i), spanGaps: true, pointRadius: 2 };
      })
    },
    options: {
      scales: { y: { beginAtZero: true, title: { display: true, text: 'mean duration, last 30 days' }, ticks: { callback: function (v) { return duration(v); } } } },
      plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + ': ' + duration(c.parsed.y); } } } }
    }
  });
  new Chart(document.getElementById('chart-failure-rate'), {
    type: 'bar',
    data: {
      labels: data.failureRateByMonth.months,
      datasets: [{ label: 'failed runs (% of finished)', data: data.failureRateByMonth.ratePercent, backgroundColor: '#dc2626' }]
    },
    options: {
      scales: { y: { beginAtZero: true, suggestedMax: 10, title: { display: true, text: '%' } } },
      plugins: { tooltip: { callbacks: { afterLabel: function (c) {
        return data.failureRateByMonth.failed[c.dataIndex] + ' of ' + data.failureRateByMonth.finished[c.dataIndex] + ' finished runs';
      } } } }
    }
  });
  new Chart(document.getElementById('chart-records-per-week'), {
    type: 'bar',
    data: {
      labels: data.recordsByWeek.weeks.map(function (w) { return 'week of ' + w; }),
      datasets: data.recordsByWeek.series.map(function (s, i) {
        return { label: s.job, data: s.values, backgroundColor: color(i) };
      })
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, title: { display: true, text: 'records' } } } }
  });
  document.body.setAttribute('data-charts-ready', 'true');
})();
`;

const STYLE = `
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #111827; background: #fff; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  .meta { color: #6b7280; margin-bottom: 16px; }
  .totals { display: flex; gap: 24px; margin-bottom: 16px; }
  .totals div { font-size: 13px; color: #6b7280; } .totals b { display: block; font-size: 20px; color: #111827; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 16px; }
  figure { margin: 0; border: 1px solid #e5e7eb; border-radius: 6px; padding: 12px; }
  figcaption { font-weight: 600; margin-bottom: 8px; }
  .chart { position: relative; height: 260px; }
  table { border-collapse: collapse; margin-top: 20px; width: 100%; }
  th, td { border-bottom: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .status-success { color: #16a34a; } [class^="status-"]:not(.status-success) { color: #dc2626; }
`;

export function renderReportHtml(data: ReportData, chartJs: string = chartJsSource()): string {
  const scope = data.job ? `job ${html(data.job)}` : 'all jobs';
  const charts = [
    ['chart-runs-per-day', 'Runs per day'],
    ['chart-mean-duration', 'Mean duration over 30 days'],
    ['chart-failure-rate', 'Failure rate per month'],
    ['chart-records-per-week', 'Processed records per week'],
  ]
    .map(([id, title]) => `<figure><figcaption>${title}</figcaption><div class="chart"><canvas id="${id}"></canvas></div></figure>`)
    .join('\n');
  const totals = [
    ['runs', data.totals.runs],
    ['succeeded', data.totals.succeeded],
    ['failed', data.totals.failed],
    ['running', data.totals.running],
    ['records', data.totals.records.toLocaleString('en-US')],
  ]
    .map(([label, value]) => `<div><b>${value}</b>${label}</div>`)
    .join('');
  // JSON in a non-executed script element; "<" escaped so no value can end the element.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>jobnet report — ${scope}, ${data.from} to ${data.to}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>jobnet report — ${scope}</h1>
<div class="meta">business dates ${data.from} to ${data.to} · generated ${html(data.generatedAt)} from Temporal's visibility</div>
<div class="totals">${totals}</div>
<div class="grid">
${charts}
</div>
<table>
<thead><tr><th>job</th><th>runs</th><th>succeeded</th><th>failed</th><th>failure rate</th><th>mean duration (30 days)</th><th>records</th><th>last run</th></tr></thead>
<tbody>
${data.jobs.map(jobRow).join('\n') || '<tr><td colspan="8">no runs in this period</td></tr>'}
</tbody>
</table>
<script type="application/json" id="jobnet-report-data">${json}</script>
<script>${inlineScript(chartJs)}</script>
<script>${CHARTS_SCRIPT}</script>
</body>
</html>
`;
}
