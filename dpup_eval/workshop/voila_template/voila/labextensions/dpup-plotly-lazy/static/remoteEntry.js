/* dpup-plotly-lazy: plotly charts on workshop pages, with plotly.js loaded only when a chart is drawn.

   Written by hand (no build step): a module federation container as JupyterLab and Voila load one
   (window._JUPYTERLAB[name] with init(shareScope) and get(module)). Its mime extension claims plotly's
   mime type; a chart's renderer loads plotly's own extension (jupyterlab-plotly, denied on the pages so
   its 4.8 MB is not parsed before every page can start) the first time a chart is drawn, and hands the
   chart to plotly's own renderer. See dpup_eval/workshop/page_scripts.py. */
(function () {
  "use strict";
  var NAME = "dpup-plotly-lazy";
  var PLOTLY = "jupyterlab-plotly";
  var MIME = "application/vnd.plotly.v1+json";
  var scope = null;
  var real = null;

  function config() {
    var el = document.getElementById("jupyter-config-data");
    return el ? JSON.parse(el.textContent || "{}") : {};
  }

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.onload = resolve;
      script.onerror = function () { reject(new Error("could not load " + url)); };
      script.async = true;
      script.src = url;
      document.head.appendChild(script);
    });
  }

  /* Plotly's own mime extension, loaded once: its package.json names its entry file. */
  function plotlyExtension() {
    if (!real) {
      var base = config().fullLabextensionsUrl.replace(/\/$/, "") + "/" + PLOTLY + "/";
      real = fetch(base + "package.json", { credentials: "same-origin" })
        .then(function (answer) {
          if (!answer.ok) { throw new Error("plotly's extension is not installed (" + answer.status + ")"); }
          return answer.json();
        })
        .then(function (pkg) { return loadScript(base + pkg.jupyterlab._build.load); })
        .then(function () {
          var container = window._JUPYTERLAB[PLOTLY];
          return Promise.resolve(container.init(scope)).catch(function () { /* initialised already */ })
            .then(function () { return container.get("./mimeExtension"); });
        })
        .then(function (factory) {
          var module = factory();
          var found = module && module.__esModule ? module.default : module;
          var all = Array.isArray(found) ? found : [found];
          for (var i = 0; i < all.length; i++) {
            if (all[i].rendererFactory.mimeTypes.indexOf(MIME) >= 0) { return all[i]; }
          }
          throw new Error("plotly's extension has no renderer for " + MIME);
        });
      real.catch(function () { real = null; });  // try again at the next chart
    }
    return real;
  }

  /* The version of a shared package Voila itself provides (the highest one in the share scope). */
  function shared(name) {
    var versions = scope[name];
    var chosen = Object.keys(versions).sort(function (a, b) {
      var x = a.split(".").map(Number), y = b.split(".").map(Number);
      for (var i = 0; i < 3; i++) { if (x[i] !== y[i]) { return (x[i] || 0) - (y[i] || 0); } }
      return 0;
    }).pop();
    return Promise.resolve(versions[chosen].get()).then(function (factory) { return factory(); });
  }

  function mimeExtension(lumino) {
    var Widget = lumino.Widget, PanelLayout = lumino.PanelLayout;

    class LazyPlotly extends Widget {
      constructor(options) {
        super();
        this.options = options;
        this.layout = new PanelLayout();
        this.addClass("dpup-plotly-lazy");
      }
      renderModel(model) {
        var self = this;
        return plotlyExtension().then(function (extension) {
          if (!self.inner) {
            self.inner = extension.rendererFactory.createRenderer(self.options);
            self.layout.addWidget(self.inner);
          }
          return self.inner.renderModel(model);
        }).catch(function (error) {
          console.error(error);
          self.node.textContent = "This chart could not be drawn: reload the page to try again.";
        });
      }
    }

    return {
      id: NAME + ":factory",
      rendererFactory: {
        safe: true,
        mimeTypes: [MIME],
        createRenderer: function (options) { return new LazyPlotly(options); },
      },
      rank: 0,
      dataType: "json",
    };
  }

  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB[NAME] = {
    init: function (shareScope) { scope = shareScope; },
    get: function (module) {
      if (module !== "./mimeExtension") {
        return Promise.reject(new Error('Module "' + module + '" does not exist in container.'));
      }
      return shared("@lumino/widgets").then(function (lumino) {
        var extension = mimeExtension(lumino);
        return function () { return { __esModule: true, default: extension }; };
      });
    },
  };
})();
