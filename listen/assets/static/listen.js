// Keyboard shortcuts and sequential playback for the rating page. The page
// works without this script (plain form); it only adds convenience.
(function () {
  'use strict';
  var form = document.getElementById('rate');
  if (!form) {
    return;
  }
  var a = document.getElementById('a');
  var b = document.getElementById('b');
  var hint = document.getElementById('hint');
  var save = document.getElementById('save');
  var radios = form.querySelectorAll('input[name="score"]');
  var sending = false;

  function chosen() {
    for (var i = 0; i < radios.length; i++) {
      if (radios[i].checked) {
        return radios[i];
      }
    }
    return null;
  }

  function choose(n) {
    var r = radios[n - 1];
    r.checked = true;
    r.focus();
    hint.textContent = '';
  }

  function submit() {
    if (!chosen()) {
      hint.textContent = 'Choose a score from 1 to 5 first.';
      return;
    }
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  // Only one sound at a time, so the two are never heard mixed.
  a.addEventListener('play', function () { b.pause(); });
  b.addEventListener('play', function () { a.pause(); });

  function playBoth() {
    b.pause();
    b.currentTime = 0;
    a.currentTime = 0;
    a.onended = function () {
      a.onended = null;
      b.play();
    };
    a.play();
  }
  document.getElementById('play').addEventListener('click', playBoth);

  form.addEventListener('submit', function (e) {
    if (sending) {
      e.preventDefault();
      return;
    }
    sending = true;
    save.disabled = true;
  });
  // A page restored from the back/forward cache must accept input again.
  window.addEventListener('pageshow', function () {
    sending = false;
    save.disabled = false;
  });

  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) {
      return;
    }
    var t = e.target;
    if (e.key >= '1' && e.key <= '5' && e.key.length === 1) {
      e.preventDefault();
      choose(Number(e.key));
    } else if (e.key === 'Enter') {
      // Enter on a link or another button keeps its own meaning.
      if (t.tagName === 'A' || (t.tagName === 'BUTTON' && t !== save)) {
        return;
      }
      e.preventDefault();
      submit();
    } else if (e.key === 'p' || e.key === 'P') {
      e.preventDefault();
      playBoth();
    }
  });
})();
