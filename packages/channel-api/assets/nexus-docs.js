// The API reference page's only script (no inline code, so a strict CSP holds). The token lives
// in this page's memory only: it is sent with the document request and with "Try it out".
(function () {
  'use strict';
  var token = '';
  var form = document.getElementById('nexus-token');
  var input = document.getElementById('nexus-token-value');
  var state = document.getElementById('nexus-token-state');
  var forget = document.getElementById('nexus-token-forget');

  function describe() {
    state.textContent = token === '' ? 'No token: public operations only.' : 'Token set: the operations this caller may run.';
    forget.hidden = token === '';
  }

  var ui = window.SwaggerUIBundle({
    url: 'openapi.json',
    dom_id: '#swagger-ui',
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    deepLinking: false,
    validatorUrl: null,
    requestInterceptor: function (request) {
      if (token !== '') request.headers.Authorization = 'Bearer ' + token;
      return request;
    },
  });

  function refetch() {
    describe();
    ui.specActions.download('openapi.json');
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    token = input.value.trim();
    input.value = '';
    refetch();
  });
  forget.addEventListener('click', function () {
    token = '';
    refetch();
  });
  describe();
})();
