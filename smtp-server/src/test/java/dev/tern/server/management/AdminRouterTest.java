package dev.tern.server.management;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.server.metrics.AdminMetrics;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One table maps method and path to an action; a literal segment wins over a placeholder. */
class AdminRouterTest {
    private final AdminRouter router = new AdminRouter(AdminMetrics.NONE);

    {
        for (String[] r : new String[][] {
            {"GET", "/admin/queue", "list"},
            {"GET", "/admin/queue/{id}", "show"},
            {"DELETE", "/admin/queue/{id}", "delete"},
            {"POST", "/admin/queue/{id}/hold", "hold"},
            {"POST", "/admin/queue/flush", "flush-all"},
            {"POST", "/admin/queue/{id}", "unused"},
        }) {
            router.add(
                    HttpMethod.valueOf(r[0]), r[1], r[2], true, Set.of(), q -> CompletableFuture.completedFuture(null));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        // method, path,                    action
        "GET,    /admin/queue,              list",
        "GET,    /admin/queue/,             list",
        "GET,    /admin/queue/ABC,          show",
        "DELETE, /admin/queue/ABC,          delete",
        "POST,   /admin/queue/ABC/hold,     hold",
        // the literal beats {id}
        "POST,   /admin/queue/flush,        flush-all",
        "POST,   /admin/queue/ABC,          unused",
    })
    void findsTheAction(String method, String path, String action) {
        assertThat(router.match(HttpMethod.valueOf(method), path))
                .isInstanceOfSatisfying(
                        AdminRouter.Match.Found.class,
                        f -> assertThat(f.route().action()).isEqualTo(action));
    }

    @Test
    void givesThePlaceholdersValues() {
        assertThat(router.match(HttpMethod.POST, "/admin/queue/ABC/hold"))
                .isInstanceOfSatisfying(AdminRouter.Match.Found.class, f -> assertThat(f.pathParameters())
                        .isEqualTo(Map.of("id", "ABC")));
    }

    @Test
    void aKnownPathWithAnotherMethodNamesTheMethodsItAllows() {
        assertThat(router.match(HttpMethod.PUT, "/admin/queue/ABC"))
                .isEqualTo(
                        new AdminRouter.Match.WrongMethod(Set.of(HttpMethod.GET, HttpMethod.DELETE, HttpMethod.POST)));
        assertThat(router.match(HttpMethod.GET, "/admin/queue/ABC/hold"))
                .isEqualTo(new AdminRouter.Match.WrongMethod(Set.of(HttpMethod.POST)));
    }

    /** {@code /admin/queue/flush} names the flush, whatever the method: not a message called "flush". */
    @Test
    void aLiteralPathWithAnotherMethodIsAWrongMethodNotAPlaceholder() {
        assertThat(router.match(HttpMethod.GET, "/admin/queue/flush"))
                .isEqualTo(new AdminRouter.Match.WrongMethod(Set.of(HttpMethod.POST)));
        assertThat(router.match(HttpMethod.DELETE, "/admin/queue/flush"))
                .isEqualTo(new AdminRouter.Match.WrongMethod(Set.of(HttpMethod.POST)));
    }

    @Test
    void anUnknownPathMatchesNothing() {
        assertThat(router.match(HttpMethod.GET, "/admin/queue/ABC/hold/now")).isEqualTo(new AdminRouter.Match.None());
        assertThat(router.match(HttpMethod.GET, "/admin/destinations")).isEqualTo(new AdminRouter.Match.None());
    }
}
