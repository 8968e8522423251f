// Generia's one script. The pages work without it; it makes them live:
// progress over server-sent events, infinite scroll, likes, comments and
// posts in place, through the JSON API under /api/v1. No framework, no build.
(function () {
  'use strict';

  // estimateCalls forecasts a world's provider calls exactly as the server
  // does (generia.ExpectedCalls of generia.NewPlan): posts are spread evenly,
  // the first P % C characters get one more; the cast is planned in batches
  // of 10 and each character's posts in batches of 10.
  //   LLM    = 2 + ceil(C/10) + C + Σ ceil(p_i/10) + P
  //   images = 2 + C + P
  function estimateCalls(c, p) {
    var llm = 2 + Math.ceil(c / 10) + c + p;
    for (var i = 0; i < c; i++) {
      var pi = Math.floor(p / c) + (i < p % c ? 1 : 0);
      llm += Math.ceil(pi / 10);
    }
    return { llm: llm, images: 2 + c + p, perCharacter: c > 0 ? Math.ceil(p / c) : 0 };
  }
  globalThis.generiaEstimate = estimateCalls;
  if (typeof document === 'undefined') return; // loaded by a test, not a page

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : '';

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function sentence(s) { return s ? s.charAt(0).toUpperCase() + s.slice(1) : s; }

  // api calls the JSON API with the session cookie and its CSRF token, and
  // turns an error answer into an Error with the server's message.
  function api(method, url, body) {
    var opts = { method: method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (method !== 'GET' && csrf) opts.headers['X-CSRF-Token'] = csrf;
    if (body instanceof FormData) {
      opts.body = body;
    } else if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (res) {
      if (res.status === 204) return null;
      return res.json().catch(function () { return null; }).then(function (data) {
        if (res.ok) return data;
        if (res.status === 401) {
          location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search));
        }
        var msg = data && data.error && data.error.message;
        var err = new Error(sentence(msg) || 'The server answered ' + res.status + '. Try again.');
        err.status = res.status;
        throw err;
      });
    }, function () {
      throw new Error('Could not reach the server. Check your connection and try again.');
    });
  }

  // fragment fetches server-rendered cards: the children of its
  // .fragment root and the next page's cursor.
  function fragment(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } }).then(function (res) {
      if (!res.ok) throw new Error('Could not load more (the server answered ' + res.status + ').');
      return res.text();
    }, function () {
      throw new Error('Could not reach the server. Check your connection.');
    }).then(function (html) {
      var tpl = document.createElement('template');
      tpl.innerHTML = html;
      var root = tpl.content.querySelector('.fragment');
      if (!root) throw new Error('The server sent something unexpected.');
      return { nodes: Array.prototype.slice.call(root.childNodes), next: root.getAttribute('data-next-cursor') || '' };
    });
  }

  function withCursor(url, cursor) {
    var u = new URL(url, location.href);
    u.searchParams.set('cursor', cursor);
    return u.pathname + u.search;
  }

  function showError(el, msg) {
    if (!el) return;
    el.textContent = msg || '';
    el.hidden = !msg;
  }

  function busy(form, on, label) {
    var btn = $('button[type=submit]', form);
    if (!btn) return;
    if (on) {
      btn.dataset.label = btn.textContent;
      btn.disabled = true;
      if (label) btn.textContent = label;
    } else {
      btn.disabled = false;
      if (btn.dataset.label) btn.textContent = btn.dataset.label;
    }
  }

  function initial(name) {
    var m = /[\p{L}\p{N}]/u.exec(name || '');
    return m ? m[0].toUpperCase() : '?';
  }

  // sized points an image at the variants of a media the width it is shown
  // at needs, as the server's pages do (imageRoles in templates.go).
  var imageRoles = {
    'avatar-md': [[64, 160], '52px'],
    icon: [[96, 160, 240], '80px'],
    header: [[480, 640, 960, 1280, 1920], '(min-width: 1120px) 1088px, 100vw']
  };
  function sized(img, id, role) {
    var r = imageRoles[role], url = '/api/v1/media/' + encodeURIComponent(id) + '?w=';
    img.srcset = r[0].map(function (w) { return url + w + ' ' + w + 'w'; }).join(', ');
    img.sizes = r[1];
    img.src = url + r[0][Math.floor(r[0].length / 2)];
  }

  function avatar(id, name, size) {
    var el;
    if (id) {
      el = document.createElement('img');
      sized(el, id, 'avatar-' + size);
      el.alt = 'Avatar of ' + name;
      el.loading = 'lazy';
    } else {
      el = document.createElement('span');
      el.textContent = initial(name);
      el.className = 'avatar-ph';
      el.setAttribute('role', 'img');
      el.setAttribute('aria-label', name + ' has no avatar yet');
    }
    el.classList.add('avatar', 'avatar-' + size);
    return el;
  }

  function duration(s) {
    s = Math.max(0, Math.round(s));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }

  // ---- "Load more" and infinite scroll ----------------------------------

  function initMore(link) {
    var loading = false;
    var wrap = link.closest('.more');
    var errEl = wrap && $('[data-more-error]', wrap);
    var observer = null;
    function load() {
      if (loading) return;
      loading = true;
      link.classList.add('is-loading');
      fragment(link.dataset.more).then(function (page) {
        var into = $(link.dataset.into);
        page.nodes.forEach(function (n) { into.appendChild(n); });
        into.dataset.pages = String((+into.dataset.pages || 1) + 1);
        showError(errEl, '');
        if (page.next) {
          link.href = withCursor(link.href, page.next);
          link.dataset.more = withCursor(link.dataset.more, page.next);
        } else {
          if (observer) observer.disconnect();
          wrap.remove();
        }
      }).catch(function (err) {
        if (observer) observer.disconnect(); // no retry loop; the link still works
        showError(errEl, err.message);
      }).then(function () {
        loading = false;
        link.classList.remove('is-loading');
      });
    }
    link.addEventListener('click', function (e) {
      e.preventDefault();
      load();
    });
    if (link.hasAttribute('data-auto') && 'IntersectionObserver' in window) {
      observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (en) { return en.isIntersecting; })) load();
      }, { rootMargin: '800px 0px' });
      observer.observe(link);
    }
  }

  // ---- Likes ----------------------------------------------------------

  function submitLike(form) {
    var input = $('input[name=like]', form);
    var like = input.value !== '0';
    var btn = $('button', form);
    btn.disabled = true;
    var url = '/api/v1/worlds/' + encodeURIComponent(form.dataset.world) + '/posts/' + encodeURIComponent(form.dataset.post) + '/like';
    api(like ? 'POST' : 'DELETE', url).then(function (res) {
      $('[data-like-count]', form).textContent = res.likes_count;
      btn.classList.toggle('is-liked', res.liked);
      btn.setAttribute('aria-pressed', res.liked ? 'true' : 'false');
      input.value = res.liked ? '0' : '1';
      btn.removeAttribute('title');
    }).catch(function (err) {
      btn.title = err.message;
      window.alert(err.message);
    }).then(function () { btn.disabled = false; });
  }

  // ---- Comments -------------------------------------------------------

  function commentsCount(delta) {
    var el = $('[data-comments-count]');
    if (el) el.textContent = Math.max(0, (+el.textContent || 0) + delta);
  }

  function submitComment(form) {
    var errEl = $('[data-form-error]', form);
    var text = form.elements.text.value.trim();
    if (!text) {
      showError(errEl, 'Write something first.');
      return;
    }
    busy(form, true, 'Sending…');
    var w = form.dataset.world, p = form.dataset.post;
    var as = form.elements.character_id ? form.elements.character_id.value : '';
    var parent = form.elements.parent_id ? form.elements.parent_id.value : '';
    api('POST', '/api/v1/worlds/' + encodeURIComponent(w) + '/posts/' + encodeURIComponent(p) + '/comments', { text: text, character_id: as, parent_id: parent }).then(function (c) {
      // Remembered as the server does when it gets the form itself.
      document.cookie = 'comment_as=' + encodeURIComponent(w + ' ' + as) + '; path=/; max-age=31536000; samesite=lax';
      var tpl = $('[data-comment-template]');
      var li = tpl.content.firstElementChild.cloneNode(true);
      li.id = 'comment-' + c.id;
      li.classList.add('is-new');
      li.dataset.handle = '@' + (c.character_id ? c.character_username : c.username);
      if (parent) li.dataset.parent = parent;
      $('[data-comment-user]', li).textContent = c.character_id ? c.display_name : '@' + c.username;
      addReplyForm(li, c.id);
      $('[data-comment-text]', li).textContent = c.text;
      var time = $('time', li);
      if (time) {
        time.textContent = 'just now';
        time.setAttribute('datetime', c.created_at);
        time.title = new Date(c.created_at).toLocaleString();
      }
      var del = $('[data-comment-delete]', li);
      if (del) {
        del.action = '/worlds/' + encodeURIComponent(w) + '/posts/' + encodeURIComponent(p) + '/comments/' + encodeURIComponent(c.id) + '/delete';
        del.dataset.commentId = c.id;
      }
      var empty = $('[data-comments-empty]');
      if (empty) empty.remove();
      if (!document.getElementById('comment-' + c.id)) { // the live stream may have shown it first
        placeComment($('[data-comment-list]'), li, parent);
        commentsCount(1);
      }
      var note = $('[data-answer-note]', form);
      if (note && c.answer) note.textContent = c.answer.message;
      form.reset();
      showError(errEl, '');
      if (parent && form.parentNode.open) form.parentNode.open = false; // a reply form, in its <details>
    }).catch(function (err) {
      showError(errEl, err.message);
    }).then(function () { busy(form, false); });
  }

  function deleteComment(form) {
    var as = form.querySelector('button').dataset.moderatedAs;
    if (!window.confirm(as ? 'Remove this comment, as the world\'s ' + as + '?' : 'Delete this comment?')) return;
    var m = /^\/worlds\/([^/]+)\/posts\/([^/]+)\/comments\/([^/]+)\/delete$/.exec(new URL(form.action).pathname);
    if (!m) return;
    var li = form.closest('[data-comment]');
    busy(form, true);
    api('DELETE', '/api/v1/worlds/' + m[1] + '/posts/' + m[2] + '/comments/' + m[3]).then(function () {
      // One that has replies stays as a deleted place in its thread, as
      // the server keeps it.
      if (document.querySelector('[data-comment][data-parent="' + CSS.escape(li.id.slice('comment-'.length)) + '"]')) {
        [].slice.call(li.children).forEach(function (el) {
          if (!el.hasAttribute('data-comment-replies')) el.remove();
        });
        li.dataset.handle = 'a deleted comment';
        var gone = document.createElement('p');
        gone.className = 'comment-text muted';
        gone.innerHTML = '<em>This comment was deleted.</em>';
        li.insertBefore(gone, li.firstChild);
        li.classList.add('comment-deleted');
      } else {
        li.remove();
      }
      commentsCount(-1);
    }).catch(function (err) {
      busy(form, false);
      window.alert(err.message);
    });
  }

  // ---- Posting and characters -----------------------------------------

  function uploadImage(worldID, file) {
    var fd = new FormData();
    fd.append('file', file);
    return api('POST', '/api/v1/worlds/' + encodeURIComponent(worldID) + '/media', fd);
  }

  function parseTags(s) {
    return (s || '').split(/[\s,]+/).map(function (t) { return t.replace(/^#+/, ''); }).filter(Boolean);
  }

  function refreshFeed(force) {
    var feed = $('[data-live-feed]');
    if (!feed || (!force && +feed.dataset.pages > 1)) return Promise.resolve();
    return fragment(feed.dataset.liveFeed).then(function (page) {
      feed.replaceChildren.apply(feed, page.nodes);
      delete feed.dataset.pages;
      var empty = $('[data-feed-empty]');
      if (empty && page.nodes.some(function (n) { return n.nodeType === 1; })) empty.remove();
      var more = $('a[data-more][data-into="#feed"]');
      if (more && page.next) {
        more.href = withCursor(more.href, page.next);
        more.dataset.more = withCursor(more.dataset.more, page.next);
      }
    });
  }

  function submitCompose(form) {
    var errEl = $('[data-form-error]', form);
    var w = form.dataset.world;
    var file = form.elements.file.files[0];
    if (!file) {
      showError(errEl, 'Choose an image to post.');
      return;
    }
    busy(form, true, 'Uploading…');
    showError(errEl, '');
    uploadImage(w, file).then(function (m) {
      busy(form, true, 'Publishing…');
      return api('POST', '/api/v1/worlds/' + encodeURIComponent(w) + '/posts', {
        character_id: form.elements.character_id.value,
        caption: form.elements.caption.value,
        media_id: m.media_id,
        hashtags: parseTags(form.elements.hashtags.value)
      });
    }).then(function (post) {
      form.reset();
      return refreshFeed(true).then(function () {
        var card = document.getElementById('post-' + post.id);
        if (card) card.scrollIntoView({ behavior: 'smooth', block: 'start' });
        else location.assign('/worlds/' + encodeURIComponent(w) + '/posts/' + encodeURIComponent(post.id));
      });
    }).catch(function (err) {
      showError(errEl, err.message);
    }).then(function () { busy(form, false); });
  }

  function submitCharacter(form) {
    var errEl = $('[data-form-error]', form);
    var w = form.dataset.world;
    var file = form.elements.file.files[0];
    busy(form, true, file ? 'Uploading…' : 'Creating…');
    showError(errEl, '');
    (file ? uploadImage(w, file) : Promise.resolve(null)).then(function (m) {
      return api('POST', '/api/v1/worlds/' + encodeURIComponent(w) + '/characters', {
        display_name: form.elements.display_name.value,
        username: form.elements.username.value,
        bio: form.elements.bio.value,
        avatar_media_id: m ? m.media_id : ''
      });
    }).then(function () {
      location.reload(); // the composer appears, with the new character
    }).catch(function (err) {
      showError(errEl, err.message);
      busy(form, false);
    });
  }

  // ---- Live progress ----------------------------------------------------

  var statusLabels = { pending: 'Queued', in_progress: 'Generating', completed: 'Complete', failed: 'Failed', cancelled: 'Cancelled' };
  var titles = {
    in_progress: 'This world is being made', completed: 'This world is ready',
    failed: 'The generation failed', cancelled: 'The generation was cancelled'
  };
  var stageStates = { pending: 'waiting', in_progress: 'working…', completed: 'done', failed: 'failed', cancelled: 'cancelled' };
  function terminal(s) { return s === 'completed' || s === 'failed' || s === 'cancelled'; }

  function setText(root, sel, text) {
    var el = $(sel, root);
    if (el) el.textContent = text;
  }

  function setBar(root, sel, value, max) {
    var el = $(sel, root);
    if (!el) return;
    el.max = Math.max(1, max);
    el.value = Math.min(value, Math.max(1, max));
    el.textContent = value + ' of ' + max;
  }

  // usd formats dollars as the server does, with more digits for small sums.
  function usd(v) { return '$' + (v > 0 && v < 0.01 ? v.toFixed(4) : v.toFixed(2)); }

  function costOf(st) {
    var total = (st.llm_cost_total || 0) + (st.image_cost_total || 0);
    var p = st.providers || {};
    if (total === 0 && p.llm === 'offline' && p.image === 'offline') return 'free (offline)';
    return '$' + total.toFixed(3);
  }

  // replaceImage swaps a live placeholder for the image once it exists.
  function replaceImage(sel, mediaID, className, alt, role) {
    $$(sel).forEach(function (el) {
      var img = document.createElement('img');
      sized(img, mediaID, role);
      if (el.tagName === 'IMG' && el.getAttribute('src') === img.getAttribute('src')) return;
      img.alt = alt;
      img.className = className;
      img.setAttribute(sel.slice(1, -1), '');
      el.replaceWith(img);
    });
  }

  function refreshWorld(id) {
    return api('GET', '/api/v1/worlds/' + encodeURIComponent(id)).then(function (w) {
      var name = w.name || 'A world in the making';
      if (w.name) $$('[data-live-name]').forEach(function (el) { el.textContent = w.name; });
      if (w.description) $$('[data-live-desc]').forEach(function (el) { el.textContent = w.description; });
      if (w.header_media_id) replaceImage('[data-live-header]', w.header_media_id, 'world-header-img', 'Header image of ' + name, 'header');
      if (w.icon_media_id) replaceImage('[data-live-icon]', w.icon_media_id, 'world-icon', 'Icon of ' + name, 'icon');
    }).catch(function () { /* the preview is a bonus; progress goes on */ });
  }

  // refreshCharacters shows the cast so far, each with its avatar once it
  // is painted, and how many more there are than fit.
  var castShown = 12;
  function refreshCharacters(id, total) {
    var list = $('[data-live-characters]');
    if (!list) return Promise.resolve();
    return api('GET', '/api/v1/worlds/' + encodeURIComponent(id) + '/characters?limit=' + castShown).then(function (res) {
      var cast = res.characters || [];
      cast.forEach(function (c) {
        var had = list.querySelector('[data-id="' + CSS.escape(c.id) + '"]');
        if (had) {
          var ph = had.querySelector('.avatar-ph');
          if (ph && c.avatar_media_id) ph.replaceWith(avatar(c.avatar_media_id, c.display_name, 'md'));
          return;
        }
        var li = document.createElement('li');
        li.dataset.id = c.id;
        var a = document.createElement('a');
        a.href = '/characters/' + encodeURIComponent(c.id);
        a.appendChild(avatar(c.avatar_media_id, c.display_name, 'md'));
        var name = document.createElement('span');
        name.textContent = c.display_name;
        a.appendChild(name);
        li.appendChild(a);
        list.insertBefore(li, $('[data-cast-more]', list));
      });
      var more = $('[data-cast-more]', list), extra = (total || 0) - cast.length;
      if (extra > 0 && cast.length >= castShown) {
        if (!more) {
          more = document.createElement('li');
          more.dataset.castMore = '';
          more.className = 'preview-more muted';
          list.appendChild(more);
        }
        more.textContent = '+' + extra + ' more';
      } else if (more) {
        more.remove();
      }
    }).catch(function () {});
  }

  // throttle runs fn at most once per ms, the last call winning.
  function throttle(fn, ms) {
    var last = 0, timer = null;
    return function () {
      var wait = last + ms - Date.now();
      if (wait <= 0) {
        last = Date.now();
        fn();
      } else if (!timer) {
        timer = setTimeout(function () { timer = null; last = Date.now(); fn(); }, wait);
      }
    };
  }

  function startProgress(el) {
    var id = el.dataset.worldId;
    if (!id) return;
    var last = null, receivedAt = 0, ended = false, es = null, pollDelay = 2000;
    var seen = { stages: '', users: -1, posts: -1 };
    var errEl = $('[data-p-error]', el);
    var liveWorld = throttle(function () { refreshWorld(id); }, 1500);
    var liveCharacters = throttle(function () { refreshCharacters(id, last && last.users_created); }, 1500);
    var liveFeed = throttle(function () { refreshFeed(false).catch(function () {}); }, 4000);

    function times() {
      if (!last) return;
      var running = !terminal(last.status);
      var elapsed = last.elapsed_seconds + (running && last.started_at ? (Date.now() - receivedAt) / 1000 : 0);
      setText(el, '[data-p-elapsed]', last.started_at ? duration(elapsed) : '—');
      // The time left is measured by the server from the speed of the calls;
      // between two events it counts down.
      var left = last.eta_seconds == null ? null : Math.max(1, last.eta_seconds - (Date.now() - receivedAt) / 1000);
      setText(el, '[data-p-eta]', running && left != null ? 'about ' + duration(left) : '—');
    }
    var ticker = setInterval(times, 1000);

    function render(st) {
      el.dataset.status = st.status;
      if (titles[st.status]) setText(el, '[data-p-title]', titles[st.status]);
      setText(el, '[data-p-status]', st.cancel_requested && !terminal(st.status) ? 'Cancelling…' : statusLabels[st.status] || st.status);
      (st.stages || []).forEach(function (s) {
        var li = $('[data-stage="' + s.name + '"]', el);
        if (!li) return;
        li.className = 'stage stage-' + s.status;
        setText(li, '[data-stage-state]', stageStates[s.status] || s.status);
      });
      setText(el, '[data-p-users]', st.users_created + ' / ' + st.users_predicted);
      setBar(el, '[data-p-users-bar]', st.users_created, st.users_predicted);
      setText(el, '[data-p-posts]', st.posts_created + ' / ' + st.posts_predicted);
      setBar(el, '[data-p-posts-bar]', st.posts_created, st.posts_predicted);
      setText(el, '[data-p-images]', st.images_created + ' / ' + st.images_predicted);
      // While it runs, the page's header counts what the generation made.
      setCount('characters', st.users_created);
      setCount('posts', st.posts_created);
      $$('[data-live-percent]').forEach(function (pc) { pc.textContent = st.progress_percent; });
      var failed = (st.api_calls_failed_llm || 0) + (st.api_calls_failed_images || 0);
      setText(el, '[data-p-calls]', st.api_calls_made_llm + ' LLM · ' + st.api_calls_made_images + ' image' +
        (failed ? ' · ' + failed + ' failed, made again' : ''));
      setText(el, '[data-p-cost]', costOf(st));
      times();

      var stages = (st.stages || []).map(function (s) { return s.name + ':' + s.status; }).join(',');
      if (stages !== seen.stages) { seen.stages = stages; liveWorld(); }
      // Avatars arrive while the characters stage runs, which the posts
      // stage overlaps: a new picture then may be an avatar.
      var casting = (st.stages || []).some(function (s) { return s.name === 'characters' && s.status === 'in_progress'; });
      if (st.users_created !== seen.users || (casting && st.images_created !== seen.images)) {
        seen.users = st.users_created;
        seen.images = st.images_created;
        liveCharacters();
      }
      if (st.posts_created !== seen.posts) { seen.posts = st.posts_created; liveFeed(); }

      var cancel = $('[data-cancel]', el);
      if (cancel && (terminal(st.status) || st.cancel_requested)) cancel.hidden = true;
      if (terminal(st.status)) finish(st);
    }

    function finish(st) {
      ended = true;
      clearInterval(ticker);
      if (es) es.close();
      $$('[data-end]', el).forEach(function (end) { end.hidden = end.dataset.end !== st.status; });
      if (st.status === 'completed') $$('[data-live-badge]').forEach(function (b) { b.remove(); });
      setText(el, '[data-p-error-text]', st.error || '');
      showError(errEl, '');
      refreshWorld(id);
      refreshCharacters(id, st.users_created);
      refreshFeed(false).catch(function () {});
    }

    function onStatus(st) {
      last = st;
      receivedAt = Date.now();
      pollDelay = 2000;
      showError(errEl, '');
      render(st);
    }

    // poll is the fallback when the stream cannot be opened.
    function poll() {
      if (ended) return;
      api('GET', '/api/v1/worlds/' + encodeURIComponent(id) + '/status').then(onStatus).catch(function (err) {
        showError(errEl, 'Could not read the progress: ' + err.message.replace(/\.?$/, '.') + ' Retrying…');
        pollDelay = Math.min(pollDelay * 2, 15000);
      }).then(function () {
        if (!ended) setTimeout(poll, pollDelay);
      });
    }

    if (!('EventSource' in window)) {
      poll();
      return;
    }
    es = new EventSource('/api/v1/worlds/' + encodeURIComponent(id) + '/status/stream');
    es.addEventListener('status', function (e) {
      try { onStatus(JSON.parse(e.data)); } catch (err) { /* a malformed event; the next one will do */ }
    });
    es.onerror = function () {
      if (ended) return;
      if (es.readyState === EventSource.CLOSED) {
        poll(); // the stream was refused; ask plainly instead
      } else {
        showError(errEl, 'The connection dropped; reconnecting…');
      }
    };
  }

  function submitCancel(form) {
    if (!window.confirm('Stop generating this world? What was made so far stays.')) return;
    var el = form.closest('[data-progress]');
    var errEl = el && $('[data-p-error]', el);
    busy(form, true, 'Cancelling…');
    api('POST', '/api/v1/worlds/' + encodeURIComponent(el.dataset.worldId) + '/cancel').then(function () {
      form.hidden = true;
      setText(el, '[data-p-status]', 'Cancelling…');
    }).catch(function (err) {
      if (err.status === 409) { form.hidden = true; return; } // it ended meanwhile
      showError(errEl, err.message);
      busy(form, false);
    });
  }

  // ---- Create a world ---------------------------------------------------

  function initCreate(form) {
    var chars = form.elements.characters_count;
    var posts = form.elements.posts_count;
    var prompt = form.elements.prompt;

    function clamp(input) {
      var n = parseInt(input.value, 10);
      if (isNaN(n)) return +input.min;
      return Math.min(+input.max, Math.max(+input.min, n));
    }
    function update() {
      var e = estimateCalls(clamp(chars), clamp(posts));
      setText(form, '[data-est-llm]', e.llm);
      setText(form, '[data-est-images]', e.images);
      setText(form, '[data-est-per]', e.perCharacter);
      var est = $('[data-estimate]', form);
      if (est && est.dataset.costLlm) {
        setText(form, '[data-est-cost]', usd(e.llm * +est.dataset.costLlm + e.images * +est.dataset.costImage));
      }
    }
    $$('[data-range-for]', form).forEach(function (range) {
      var number = document.getElementById(range.dataset.rangeFor);
      range.addEventListener('input', function () { number.value = range.value; update(); });
      number.addEventListener('input', function () { range.value = clamp(number); update(); });
    });
    var counter = $('[data-count-for="prompt"]', form);
    function count() { counter.textContent = prompt.value.length; }
    prompt.addEventListener('input', count);
    $$('[data-example]', form).forEach(function (b) {
      b.addEventListener('click', function () { prompt.value = b.dataset.example; count(); prompt.focus(); });
    });
    update();
    count();
  }

  function submitCreate(form) {
    var errEl = $('[data-form-error]', form);
    var req = {
      name: form.elements.name.value.trim(),
      prompt: form.elements.prompt.value.trim(),
      characters_count: parseInt(form.elements.characters_count.value, 10),
      posts_count: parseInt(form.elements.posts_count.value, 10),
      visibility: form.elements.visibility.value || 'public'
    };
    if (!req.prompt) {
      showError(errEl, 'Describe your world first: a sentence or two is enough.');
      form.elements.prompt.focus();
      return;
    }
    busy(form, true, 'Starting…');
    showError(errEl, '');
    api('POST', '/api/v1/worlds', req).then(function (w) {
      var live = $('[data-create-progress]');
      var el = $('[data-progress]', live);
      el.dataset.worldId = w.id;
      var worldURL = '/worlds/' + encodeURIComponent(w.id);
      $$('[data-p-enter]', el).forEach(function (a) { a.href = worldURL; });
      var retry = new URLSearchParams({ prompt: req.prompt, characters: req.characters_count, posts: req.posts_count, visibility: req.visibility });
      if (req.name) retry.set('name', req.name);
      $$('[data-p-retry]', el).forEach(function (a) { a.href = '/worlds/new?' + retry.toString(); });
      var cancel = $('[data-cancel]', el);
      if (cancel) cancel.action = worldURL + '/cancel';
      if (req.name) $$('[data-live-name]', live).forEach(function (h) { h.textContent = req.name; });
      $('[data-create-form-section]').hidden = true;
      live.hidden = false;
      history.replaceState(null, '', worldURL); // a reload shows the world page, still live
      window.scrollTo(0, 0);
      startProgress(el);
    }).catch(function (err) {
      showError(errEl, err.message);
      busy(form, false);
    });
  }

  // ---- Live updates -------------------------------------------------------
  // An open feed or post page follows the world's live stream: new posts,
  // comments and replies appear as they are made, rendered by the server;
  // the browser reconnects by itself, after the last event it had.

  function htmlNode(html) {
    var t = document.createElement('template');
    t.innerHTML = html.trim();
    return t.content.firstElementChild;
  }

  // follow reads a live stream while the page is in sight: a hidden tab
  // closes it, so that a page left open does not keep a world awake (and
  // spending); back in sight it resumes after the last event it had.
  function follow(url, kinds, handle) {
    if (!('EventSource' in window)) return;
    var es = null, lastID = '';
    function open() {
      if (es) return;
      es = new EventSource(lastID ? url + '?last_event_id=' + encodeURIComponent(lastID) : url);
      kinds.forEach(function (kind) {
        es.addEventListener(kind, function (ev) {
          if (ev.lastEventId) lastID = ev.lastEventId;
          handle(kind, JSON.parse(ev.data));
        });
      });
    }
    function close() {
      if (es) es.close();
      es = null;
    }
    document.addEventListener('visibilitychange', function () {
      if (document.hidden) close(); else open();
    });
    if (!document.hidden) open();
  }

  function startLive(el) {
    follow(el.dataset.worldLive, ['post', 'comment', 'life', 'notification'], function (kind, d) { liveHandlers[kind](el, d); });
  }

  // setCount writes a count of the page's header ("3 posts").
  var countWords = {characters: ['character', 'characters'], posts: ['post', 'posts']};
  function setCount(what, n) {
    $$('[data-count="' + what + '"]').forEach(function (c) {
      c.dataset.n = n;
      c.textContent = n + ' ' + countWords[what][n === 1 ? 0 : 1];
    });
  }

  // The reply forms speak as the comment form's "Comment as" says, once
  // it is changed too, and so do those of comments added since (they are
  // sent without the script too).
  function speakAsChosen(root) {
    var sel = document.getElementById('comment-as');
    if (!sel) return;
    var name = sel.options[sel.selectedIndex].text;
    $$('.reply-form', root).forEach(function (f) {
      f.elements.character_id.value = sel.value;
      var label = $('[data-reply-as]', f);
      if (label) label.textContent = name;
    });
  }
  document.addEventListener('change', function (ev) {
    if (ev.target.id === 'comment-as') speakAsChosen();
  });

  // addReplyForm gives a comment the script added a Reply form, from the
  // page's copy.
  function addReplyForm(li, id) {
    var tpl = $('[data-reply-template]');
    if (!tpl) return;
    var reply = tpl.content.firstElementChild.cloneNode(true);
    var text = $('textarea', reply);
    text.id = 'reply-' + id;
    $('label', reply).htmlFor = text.id;
    $('input[name=parent_id]', reply).value = id;
    $('[data-reply-to]', reply).textContent = li.dataset.handle;
    li.appendChild(reply);
    speakAsChosen(li);
  }

  // placeComment puts a comment in its thread, and names whom a reply to
  // a reply answers, as the server does.
  function placeComment(list, li, parentID) {
    var into = threadOf(list, parentID);
    var parent = parentID && document.getElementById('comment-' + parentID);
    var head = $('.comment-head', li);
    if (into !== list && parent && parent.parentNode === into && head && !$('.comment-replying', li)) {
      var note = document.createElement('p');
      note.className = 'comment-replying muted';
      note.textContent = 'replying to ' + (parent.dataset.handle || 'a comment');
      head.after(note);
    }
    into.appendChild(li);
    speakAsChosen(li);
  }

  // threadOf is the list a new comment goes in: the replies of the thread
  // of the comment it answers (one level, as the server renders it), or
  // the post's list.
  function threadOf(list, parentID) {
    var parent = parentID && document.getElementById('comment-' + parentID);
    if (!parent || !list.contains(parent)) return list;
    var top = parent.parentNode.closest('[data-comment]') || parent;
    var replies = $('[data-comment-replies]', top);
    if (!replies) {
      replies = document.createElement('ul');
      replies.className = 'comment-replies';
      replies.setAttribute('aria-label', 'Replies');
      replies.setAttribute('data-comment-replies', '');
      top.appendChild(replies);
    }
    return replies;
  }

  var liveHandlers = {
    post: function (el, d) {
      var feed = $('#feed', el);
      if (!feed || document.getElementById('post-' + d.id)) return;
      // Once the generation ended, each new post counts in the header.
      var posts = $('[data-count="posts"]'), progress = $('[data-progress]');
      if (posts && (!progress || terminal(progress.dataset.status))) setCount('posts', (+posts.dataset.n || 0) + 1);
      var card = htmlNode(d.html);
      card.classList.add('is-new');
      feed.insertBefore(card, feed.firstChild);
      var empty = $('[data-feed-empty]');
      if (empty) empty.remove();
    },
    comment: function (el, d) {
      if (document.getElementById('comment-' + d.id)) return;
      var list = el.dataset.post === d.post_id && $('[data-comment-list]', el);
      if (list) {
        var li = htmlNode(d.html);
        li.classList.add('is-new');
        var empty = $('[data-comments-empty]', list);
        if (empty) empty.remove();
        placeComment(list, li, d.parent_id);
        commentsCount(1);
        return;
      }
      var count = $('#post-' + CSS.escape(d.post_id) + ' [data-card-comments]');
      if (count) count.textContent = (+count.textContent || 0) + 1;
    },
    notification: function (el, d) { notified(d); },
    life: function (el, d) {
      var badge = $('[data-life-state]');
      if (!badge) return;
      badge.textContent = d.state;
      badge.title = d.help;
      badge.className = badge.className.replace(/\blife-\w+/, 'life-' + d.state);
    }
  };

  // ---- Notifications ------------------------------------------------------
  // The bell counts the unread ones; one that arrives shows in the list on
  // the notifications page, elsewhere as a toast for a while. Following
  // one marks it read.

  function setBell(n) {
    var bell = $('[data-bell]');
    if (!bell) return;
    var count = $('[data-bell-count]', bell);
    count.textContent = n;
    count.hidden = !n;
    bell.setAttribute('aria-label', 'Notifications' + (n ? ', ' + n + ' unread' : ''));
  }

  function notified(d) {
    setBell(d.unread);
    if (!d.html || document.getElementById('notification-' + d.id)) return;
    var item = htmlNode(d.html);
    var list = $('[data-notification-list]');
    var empty = $('[data-notifications-empty]');
    if (list) {
      list.hidden = false;
      if (empty) empty.remove();
      list.insertBefore(item, list.firstChild);
      return;
    }
    var toasts = $('[data-toasts]');
    if (!toasts) return;
    item.classList.add('toast');
    toasts.appendChild(item);
    while (toasts.children.length > 3) toasts.firstChild.remove();
    setTimeout(function () { item.remove(); }, 10000);
  }

  document.addEventListener('click', function (e) {
    var link = e.target.closest && e.target.closest('a[data-notification-link]');
    var item = link && link.closest('[data-notification].is-unread');
    if (!item || !csrf) return;
    var body = new URLSearchParams({ _csrf: csrf });
    item.dataset.ids.split(' ').forEach(function (id) { body.append('id', id); });
    fetch('/notifications/read', { method: 'POST', body: body, credentials: 'same-origin', keepalive: true, redirect: 'manual' }).catch(function () {});
  });

  // ---- Wiring -------------------------------------------------------------

  var handlers = [
    ['[data-like]', submitLike],
    ['[data-comment-form]', submitComment],
    ['[data-comment-delete]', deleteComment],
    ['[data-compose]', submitCompose],
    ['[data-character-form]', submitCharacter],
    ['[data-create-world]', submitCreate],
    ['[data-cancel]', submitCancel]
  ];
  // A chosen file's name shows beside its picker.
  document.addEventListener('change', function (e) {
    var input = e.target;
    if (!input.matches || !input.matches('.file-input')) return;
    var name = input.closest('.file-pick') && $('[data-file-name]', input.closest('.file-pick'));
    if (name) name.textContent = input.files.length ? input.files[0].name : 'No image chosen';
  });
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      e.preventDefault();
      return;
    }
    for (var i = 0; i < handlers.length; i++) {
      if (form.matches(handlers[i][0])) {
        e.preventDefault();
        handlers[i][1](form);
        return;
      }
    }
  });

  function init() {
    $$('.js-only').forEach(function (el) { el.hidden = false; });
    $$('a[data-more]').forEach(initMore);
    $$('select[data-autosubmit]').forEach(function (el) {
      el.addEventListener('change', function () { el.form.submit(); });
    });
    $$('[data-create-world]').forEach(initCreate);
    // One stream a page: a world's brings the viewer's notifications too.
    var lives = $$('[data-world-live]');
    lives.forEach(startLive);
    var bell = $('[data-bell]');
    if (!lives.length && bell) follow(bell.dataset.accountLive, ['notification'], function (kind, d) { notified(d); });
    $$('[data-progress]').forEach(function (el) {
      if (el.dataset.worldId && !terminal(el.dataset.status)) startProgress(el);
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
