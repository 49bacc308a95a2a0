package io.containerlease.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.containerlease.api.http.ConsoleRoutes;
import io.containerlease.support.ApiClient;
import io.containerlease.support.OpenApiContract;
import io.containerlease.support.RunningApi;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The API's OpenAPI document: valid, complete, and served with Swagger UI to anyone, token or not. */
@Timeout(60)
class ApiDocsTest {

    private static OpenAPI parsed() {
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(OpenApiContract.document());
        assertThat(result.getMessages()).as("what the parser found wrong").isEmpty();
        return result.getOpenAPI();
    }

    @Test
    void theDocumentIsValidOpenApi31() {
        OpenAPI api = parsed();
        assertThat(api.getOpenapi()).isEqualTo("3.1.0");
        assertThat(api.getPaths()).isNotEmpty();
    }

    /**
     * Every route the server registers (read from ApiServer's source, where each is one line) is in
     * the document with its method: a new endpoint cannot go undocumented.
     */
    @Test
    void everyRouteOfTheServerIsDocumented() throws Exception {
        String source = Files.readString(Path.of("src/main/java/io/containerlease/api/ApiServer.java"));
        Matcher route = Pattern.compile("cfg\\.routes\\.(get|post|put|delete)\\(\"(/(?:api|healthz|metrics)[^\"]*)\"")
                .matcher(source);
        Set<String> registered = new TreeSet<>();
        while (route.find()) {
            if (route.group(2).endsWith("/")) {
                continue; // the prefix of the container actions, added below
            }
            registered.add(route.group(1).toUpperCase() + " " + route.group(2).replaceAll("\\{[^}]+}", "{}"));
        }
        for (String action : Set.of("start", "stop", "restart", "pause", "unpause")) { // registered in a loop
            registered.add("POST /api/containers/{}/" + action);
        }
        registered.add("GET /api/openapi.yaml");
        registered.add("GET /api/docs");
        registered.add("GET /api/docs/{}");
        Set<String> documented = new TreeSet<>();
        for (Map.Entry<String, PathItem> path : parsed().getPaths().entrySet()) {
            String template = path.getKey().replaceAll("\\{[^}]+}", "{}");
            path.getValue()
                    .readOperationsMap()
                    .keySet()
                    .forEach(method -> documented.add(method.name() + " " + template));
        }
        documented.add("GET /api/docs"); // the browsable page: not an API operation
        assertThat(documented).containsAll(registered);
    }

    /** The check every API test's answers go through fails on what the document does not say. */
    @Test
    void anUndocumentedFieldStatusOrEndpointFailsTheCheck() {
        assertThat(ApiClient.CHECKS_CONTRACT)
                .as("the API tests' client checks every answer")
                .isTrue();
        String me =
                "{\"user\":\"alice\",\"admin\":false,\"serverTime\":\"2026-11-22T10:00:00Z\",\"cluster\":\"c\",\"server\":\"s\"}";
        OpenApiContract.check("GET", "/api/me", 200, "application/json", me);
        assertThatThrownBy(() -> OpenApiContract.check(
                        "GET", "/api/me", 200, "application/json", me.replace("}", ",\"extra\":1}")))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("extra");
        assertThatThrownBy(
                        () -> OpenApiContract.check(
                                "GET",
                                "/api/me",
                                418,
                                "application/json",
                                "{\"error\":{\"code\":\"teapot\",\"message\":\"no\",\"category\":\"system\",\"retryable\":false}}"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("418");
        assertThatThrownBy(() ->
                        OpenApiContract.check("GET", "/api/containers/x/undocumented", 200, "application/json", "{}"))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> OpenApiContract.check(
                        "GET", "/api/me", 401, "application/json", "{\"error\":{\"code\":\"unauthorized\"}}"))
                .as("an error without its message, category and retryable")
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void theDocumentAndItsBrowserAreServedWithoutAToken() {
        try (RunningApi api = RunningApi.withUsers(Map.of("alice", "alice-token-0123456789"))) {
            ApiClient anonymous = new ApiClient(api.baseUrl());
            ApiClient.Response document = anonymous.get("/api/openapi.yaml");
            assertThat(document.status()).isEqualTo(200);
            assertThat(document.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/yaml"));
            assertThat(document.body()).isEqualTo(OpenApiContract.document());

            ApiClient.Response page = anonymous.get("/api/docs");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body())
                    .contains("swagger-ui-bundle.js")
                    .contains("start.js")
                    .doesNotContain("http");
            assertThat(page.headers().firstValue("Content-Security-Policy"))
                    .hasValue(ConsoleRoutes.CONTENT_SECURITY_POLICY);
            assertThat(anonymous.get("/api/docs/swagger-ui-bundle.js").body()).contains("SwaggerUIBundle");
            assertThat(anonymous.get("/api/docs/start.js").body()).contains("/api/openapi.yaml");
            ApiClient.assertError(anonymous.get("/api/docs/no-such-file.js"), 404, "not_found");
            ApiClient.assertError(anonymous.get("/api/containers"), 401, "unauthorized");
        }
    }
}
