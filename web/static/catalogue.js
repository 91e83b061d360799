/* Catalogue des ressources éducatives — progressive enhancement only.
 * Every page works without this file. With it: filters apply without a full reload (the same URL
 * is fetched with "X-Fragment: region" and the facets + results region is swapped, history kept
 * with pushState), the query box gets suggestions, the credit line gets a copy button, and
 * "Ma sélection" is kept in localStorage (add/remove buttons, the count in the navigation).
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
        upgradeSelectLinks(fresh);
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
    var copied = button.getAttribute('data-copied') || 'Mention copiée';
    button.hidden = false;
    button.addEventListener('click', function () {
      function done() {
        button.textContent = copied;
        announce(copied + ' dans le presse-papiers');
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

  /* ---------------------------------------------------------------- ma sélection */
  /* The selection is its URL (/selection?ids=a,b&notes=…&titre=…): the browser keeps that query
   * string in localStorage, nothing else. "Ajouter à ma sélection" links (which work without
   * JavaScript) become buttons that add or remove without leaving the page; the selection page
   * saves what it shows when the change came from this browser's own selection, and offers to
   * keep a selection opened from a shared link without overwriting one's own. */

  var STORE_KEY = 'catalogue.selection';
  var ADOPT_KEY = 'catalogue.selection.adopt';
  var MAX_ITEMS = 50;

  function readStored() {
    try { return window.localStorage.getItem(STORE_KEY) || ''; } catch (e) { return ''; }
  }

  function writeStored(query) {
    try {
      if (parseSelection(query).ids.length) { window.localStorage.setItem(STORE_KEY, query); }
      else { window.localStorage.removeItem(STORE_KEY); }
    } catch (e) { /* storage refused (private mode): the link still holds the selection */ }
  }

  function parseSelection(query) {
    var params = new URLSearchParams(query);
    var ids = (params.get('ids') || '').split(',').filter(Boolean);
    var notes = params.getAll('notes');
    return {
      ids: ids,
      notes: ids.map(function (id, i) { return notes[i] || ''; }),
      title: params.get('titre') || ''
    };
  }

  /* Python's quote_plus: encodeURIComponent leaves !'()* as they are, the server does not. */
  function encodePart(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, function (c) {
      return '%' + c.charCodeAt(0).toString(16).toUpperCase();
    }).replace(/%20/g, '+');
  }

  /* The server's canonical form (web/ui/selection_view.py: Selection.query). */
  function selectionQuery(sel) {
    if (!sel.ids.length) { return ''; }
    var notes = sel.notes.slice();
    while (notes.length && !notes[notes.length - 1]) { notes.pop(); }
    var parts = ['ids=' + sel.ids.map(encodePart).join(',')];
    notes.forEach(function (note) { parts.push('notes=' + encodePart(note)); });
    if (sel.title) { parts.push('titre=' + encodePart(sel.title)); }
    return parts.join('&');
  }

  function refreshSelectionNav() {
    var sel = parseSelection(readStored());
    var query = selectionQuery(sel);
    document.querySelectorAll('a[data-selection-link]').forEach(function (link) {
      link.setAttribute('href', '/selection' + (query ? '?' + query : ''));
    });
    document.querySelectorAll('[data-selection-count]').forEach(function (count) {
      count.textContent = sel.ids.length ? ' (' + sel.ids.length + ')' : '';
      count.hidden = !sel.ids.length;
    });
    document.querySelectorAll('button[data-select]').forEach(function (button) {
      setSelectButton(button, sel.ids.indexOf(button.getAttribute('data-select')) >= 0);
    });
  }

  function setSelectButton(button, selected) {
    var name = button.getAttribute('data-name') || '';
    button.textContent = selected ? 'Retirer de ma sélection' : 'Ajouter à ma sélection';
    if (name) {
      var hidden = document.createElement('span');
      hidden.className = 'visually-hidden';
      hidden.textContent = ' : ' + name;
      button.appendChild(hidden);
    }
    button.classList.toggle('button--selected', selected);
  }

  function toggleSelected(button) {
    var id = button.getAttribute('data-select');
    var sel = parseSelection(readStored());
    var at = sel.ids.indexOf(id);
    var name = button.getAttribute('data-name') || 'La ressource';
    if (at >= 0) {
      sel.ids.splice(at, 1);
      sel.notes.splice(at, 1);
      announce(name + ' : retirée de ma sélection');
    } else if (sel.ids.length >= MAX_ITEMS) {
      announce('Une sélection compte au plus ' + MAX_ITEMS + ' ressources');
      return;
    } else {
      sel.ids.push(id);
      sel.notes.push('');
      announce(name + ' : ajoutée à ma sélection (' + sel.ids.length + ')');
    }
    writeStored(selectionQuery(sel));
    refreshSelectionNav();
  }

  function upgradeSelectLinks(root) {
    root.querySelectorAll('a[data-select]').forEach(function (link) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = link.className;
      button.setAttribute('data-select', link.getAttribute('data-select'));
      button.setAttribute('data-name', link.getAttribute('data-name') || '');
      link.replaceWith(button);
    });
    refreshSelectionNav();
  }

  function enhanceSelectionPage(root) {
    var pageQuery = root.getAttribute('data-query') || '';
    var stored = readStored();
    if (!window.location.search && parseSelection(stored).ids.length) {
      window.location.replace('/selection?' + stored);  // the selection this browser keeps
      return;
    }
    var adopt = false;
    try {
      adopt = window.sessionStorage.getItem(ADOPT_KEY) === '1';
      window.sessionStorage.removeItem(ADOPT_KEY);
    } catch (e) { /* no session storage: nothing to adopt */ }
    if (adopt) { writeStored(pageQuery); stored = readStored(); }
    var empty = !parseSelection(pageQuery).ids.length;
    var mine = adopt || empty || pageQuery === selectionQuery(parseSelection(stored));
    var banner = document.getElementById('selection-partagee');
    if (!mine && banner) {
      banner.hidden = false;
      var note = banner.querySelector('[data-shared-mine]');
      if (note) { note.hidden = !parseSelection(stored).ids.length; }
      var keep = banner.querySelector('button[data-adopt]');
      if (keep) {
        keep.addEventListener('click', function () {
          writeStored(pageQuery);
          mine = true;
          banner.hidden = true;
          refreshSelectionNav();
          announce('Sélection gardée dans ce navigateur');
        });
      }
    }
    function willChange() {
      // A change made to this browser's selection (or while it has none) becomes its selection.
      if (mine || !parseSelection(readStored()).ids.length) {
        try { window.sessionStorage.setItem(ADOPT_KEY, '1'); } catch (e) { /* ignore */ }
      }
    }
    root.addEventListener('click', function (event) {
      if (event.target.closest('a[data-sel-action]')) { willChange(); }
    });
    root.querySelectorAll('form').forEach(function (form) {
      form.addEventListener('submit', willChange);
    });
    var forget = root.querySelector('button[data-forget]');
    if (forget) {
      forget.hidden = false;
      forget.addEventListener('click', function () {
        writeStored('');
        mine = false;
        refreshSelectionNav();
        announce('Sélection effacée de ce navigateur');
      });
    }
    refreshSelectionNav();
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-select]');
    if (button) { toggleSelected(button); }
  });

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
    if (window.URLSearchParams) {
      upgradeSelectLinks(document);
      var selectionPage = document.getElementById('selection');
      if (selectionPage) { enhanceSelectionPage(selectionPage); }
    }
    document.querySelectorAll('button[data-print]').forEach(function (button) {
      button.hidden = false;
      button.addEventListener('click', function () { window.print(); });
    });
  });
}());
