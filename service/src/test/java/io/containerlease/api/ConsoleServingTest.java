package io.containerlease.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.support.ApiClient;
import io.containerlease.support.ApiClient.Response;
import io.containerlease.support.RunningApi;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The web console as the build put it in the jar (the Maven build runs the Vite build first): served
 * at /, cached when hashed, never when not, with a strict CSP, and index.html for any deep link
 * that is not the API's.
 */
class ConsoleServingTest {
    private RunningApi api;
    private ApiClient client;

    @BeforeEach
    void start() {
        api = RunningApi.configured(Map.of());
        client = api.client();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void theConsoleIsServedAtTheRootWithoutATokenAndNeverCached() {
        Response r = client.get("/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(r.body()).contains("<div id=\"root\">");
    }

    @Test
    void theContentSecurityPolicyAllowsNoInlineOrForeignScript() {
        String csp =
                client.get("/").headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp)
                .contains("script-src 'self'", "default-src 'self'", "connect-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-eval");
        assertThat(csp.substring(csp.indexOf("script-src"), csp.indexOf(';', csp.indexOf("script-src"))))
                .doesNotContain("unsafe-inline");
        assertThat(indexHtml()).doesNotContainPattern("<script(?![^>]*\\ssrc=)[^>]*>");
    }

    @Test
    void hashedAssetsAreCachedForAYear() {
        Matcher script = Pattern.compile("src=\"(/assets/[^\"]+\\.js)\"").matcher(indexHtml());
        assertThat(script.find()).isTrue();
        Response r = client.get(script.group(1));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
    }

    @Test
    void aDeepLinkAnswersTheConsoleSoAReloadWorks() {
        for (String path : new String[] {"/leases/01m8033dce7fxx86sz54ktzqb1", "/activity", "/some/where/else"}) {
            Response r = client.get(path);
            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.body()).as(path).isEqualTo(indexHtml());
        }
    }

    @Test
    void theApisOwnPathsNeverAnswerTheConsole() {
        assertThat(client.get("/api/nothing-here").status()).isEqualTo(401); // the API wants a token first
        assertThat(client.get("/healthz").body()).startsWith("{");
        Response missingAsset = client.get("/assets/index-gone1234.js");
        assertThat(missingAsset.status()).isEqualTo(404);
        assertThat(missingAsset.json().at("/error/code").asText()).isEqualTo("not_found");
        Response ws = client.get("/ws/unknown");
        assertThat(ws.status()).isEqualTo(404);
        assertThat(ws.body()).doesNotContain("<html");
    }

    @Test
    void aPathThatClimbsOutOfTheConsoleGetsTheConsoleNotAFile() {
        var raw = new io.containerlease.support.RawHttp("127.0.0.1", api.port());
        var r = raw.send("GET", "/assets/../../io/containerlease/api/ApiServer.class", Map.of(), null, null);
        assertThat(r.body()).doesNotContain("ApiServer");
        assertThat(client.get("/assets/").status()).isEqualTo(404);
    }

    private static String indexHtml() {
        try (InputStream in = ConsoleServingTest.class.getClassLoader().getResourceAsStream("public/index.html")) {
            assertThat(in)
                    .as("the console is built into the classes (scripts/build-console.sh, run by Maven)")
                    .isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
