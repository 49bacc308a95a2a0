// Swagger UI on this server's own document; a script file, not inline, so the page keeps its strict CSP.
window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({ url: '/api/openapi.yaml', dom_id: '#swagger-ui', deepLinking: true });
});
