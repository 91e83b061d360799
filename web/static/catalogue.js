/* Catalogue des ressources éducatives — progressive enhancement only.
 * Every page works without this file. With it: filters apply without a full reload (the same URL
 * is fetched with "X-Fragment: region" and the facets + results region is swapped, history kept
 * with pushState), the query box gets suggestions, and the credit line gets a copy button.
 * Loaded from <head> without defer so that the "js" class is set before the first paint.
 */
(function () {
  'use strict';

  document.documentElement.classList.add('js');

  var SMALL_SCREEN = '(max-width: 56rem)';

  function announce(message) {
    var live = document.getElementById('annonce');
    if (!live || !message) { return; }
    live.textContent = '';
    window.setTimeout(function () { live.textContent = message; }, 60);
  }

  /* ---------------------------------------------------------------- search page */

  function enhanceSearch(form) {
    var controller = null;
    var qInput = form.querySelector('#q');

    function urlFromForm() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) {
        var text = String(value).trim();
        if (!text || (key === 'sort' && text === 'relevance')) { return; }
        params.append(key, text);
      });
      var query = params.toString();
      return form.getAttribute('action') + (query ? '?' + query : '');
    }

    function syncQuery(url) {
      if (!qInput) { return; }
      var parsed = new URL(url, window.location.href);
      qInput.value = parsed.searchParams.get('q') || '';
    }

    function load(url, options) {
      var region = document.getElementById('region');
      if (!region) { window.location.assign(url); return; }
      if (controller) { controller.abort(); }
      controller = new AbortController();
      var active = document.activeElement;
      var focusId = options.focusId || (active && region.contains(active) ? active.id : null);
      region.setAttribute('aria-busy', 'true');
      fetch(url, {
        headers: { 'X-Fragment': 'region' },
        credentials: 'same-origin',
        signal: controller.signal
      }).then(function (response) {
        if (!response.ok) { throw new Error('HTTP ' + response.status); }
        return response.text();
      }).then(function (html) {
        var template = document.createElement('template');
        template.innerHTML = html;
        var fresh = template.content.querySelector('#region');
        if (!fresh) { throw new Error('no region'); }
        // Keep the disclosures as the user left them.
        region.querySelectorAll('details[id]').forEach(function (old) {
          var twin = fresh.querySelector('details#' + CSS.escape(old.id));
          if (!twin) { return; }
          if (old.id === 'filtres') { twin.open = old.open; } else if (old.open) { twin.open = true; }
        });
        region.replaceWith(fresh);
        if (options.push) { window.history.pushState({ catalogue: true }, '', url); }
        if (fresh.dataset.title) { document.title = fresh.dataset.title; }
        announce(fresh.dataset.announce);
        var target = focusId ? document.getElementById(focusId) : null;
        if (options.focusResults || (focusId && !target)) {
          target = document.getElementById('resultats-titre');
          if (options.focusResults && target) { target.scrollIntoView({ block: 'start' }); }
        }
        if (target) { target.focus({ preventScroll: !options.focusResults }); }
      }).catch(function (error) {
        if (error && error.name === 'AbortError') { return; }
        window.location.assign(url);  // let the server render the page
      });
    }

    form.addEventListener('change', function (event) {
      var el = event.target;
      if (el.matches('input[type="checkbox"], select')) {
        load(urlFromForm(), { push: true, focusId: el.id });
      }
    });

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      load(urlFromForm(), { push: true });
    });

    form.addEventListener('click', function (event) {
      var link = event.target.closest('a[data-nav]');
      if (!link || event.defaultPrevented || event.button !== 0 ||
          event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
      event.preventDefault();
      syncQuery(link.href);
      load(link.href, { push: true, focusResults: true });
    });

    window.history.replaceState({ catalogue: true }, '', window.location.href);
    window.addEventListener('popstate', function () {
      syncQuery(window.location.href);
      load(window.location.href, { push: false });
    });

    // Phones: the filters start folded. Back on a wide screen, where the disclosure's summary is
    // hidden, they must be open again.
    var small = window.matchMedia(SMALL_SCREEN);
    var filters = document.getElementById('filtres');
    if (filters && small.matches) { filters.open = false; }
    small.addEventListener('change', function (event) {
      var current = document.getElementById('filtres');
      if (current) { current.open = !event.matches; }
    });

    if (qInput) { enhanceSuggestions(qInput); }
  }

  /* ---------------------------------------------------------------- suggestions */

  function suggestionText(item) {
    if (typeof item === 'string') { return item; }
    if (item && typeof item === 'object') { return item.text || item.label || item.value || ''; }
    return '';
  }

  function enhanceSuggestions(input) {
    var list = document.getElementById(input.getAttribute('list'));
    if (!list) { return; }
    var timer = null;
    var controller = null;
    var last = '';
    input.addEventListener('input', function () {
      var prefix = input.value.trim();
      window.clearTimeout(timer);
      if (prefix.length < 2 || prefix === last) { return; }
      timer = window.setTimeout(function () {
        last = prefix;
        if (controller) { controller.abort(); }
        controller = new AbortController();
        fetch('/api/v1/suggest?q=' + encodeURIComponent(prefix), {
          headers: { Accept: 'application/json' },
          signal: controller.signal
        }).then(function (response) {
          return response.ok ? response.json() : [];
        }).then(function (data) {
          var items = Array.isArray(data) ? data : (data.suggestions || data.items || data.data || []);
          var seen = {};
          list.replaceChildren();
          items.slice(0, 10).forEach(function (item) {
            var text = suggestionText(item);
            if (!text || seen[text]) { return; }
            seen[text] = true;
            var option = document.createElement('option');
            option.value = text;  // text only: never parsed as HTML
            list.appendChild(option);
          });
        }).catch(function () { /* suggestions are optional */ });
      }, 200);
    });
  }

  /* ---------------------------------------------------------------- copy button */

  function enhanceCopy(button) {
    var field = document.getElementById(button.getAttribute('data-copy'));
    if (!field) { return; }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener('click', function () {
      function done() {
        button.textContent = 'Mention copiée';
        announce('Mention de la source copiée dans le presse-papiers');
        window.setTimeout(function () { button.textContent = label; }, 2500);
      }
      function fallback() {
        field.focus();
        field.select();
        try { document.execCommand('copy'); done(); } catch (e) { /* the text stays selected */ }
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, fallback);
      } else {
        fallback();
      }
    });
  }

  /* ---------------------------------------------------------------- back to results */

  function enhanceBack(link) {
    link.addEventListener('click', function (event) {
      if (!document.referrer || window.history.length < 2) { return; }
      var from = new URL(document.referrer);
      if (from.origin === window.location.origin && from.pathname === '/') {
        event.preventDefault();
        window.history.back();  // back to the exact search the teacher came from
      }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var form = document.querySelector('form[data-enhance="search"]');
    if (form && window.fetch && window.history.pushState && 'content' in document.createElement('template')) {
      enhanceSearch(form);
    }
    document.querySelectorAll('button[data-copy]').forEach(enhanceCopy);
    document.querySelectorAll('a[data-back]').forEach(enhanceBack);
  });
}());
