package io.containerlease.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.config.ImageCatalog;
import io.containerlease.support.FakeRuntime;
import io.containerlease.support.LeaseWorld;
import org.junit.jupiter.api.Test;

/** The check at start marks exactly the types whose image cannot be had; an engine that does not answer marks none. */
class ImageReadinessTest {
    private final ImageCatalog catalog = ImageCatalog.builtIn();

    @Test
    void theCheckAtStartMarksTheTypesWhoseImageIsNotThereAndCannotBePulled() {
        ImageReadiness images = new ImageReadiness(new FakeRuntime().withImage(LeaseWorld.BUSYBOX_IMAGE));
        images.checkAll(catalog);
        assertThat(images.problem("busybox")).isEmpty();
        assertThat(images.problem("ticker")).isEmpty();
        assertThat(images.problem("alpine"))
                .hasValueSatisfying(why -> assertThat(why).contains("could not be pulled"));
        assertThat(images.problem("ubuntu")).isPresent();
    }

    @Test
    void anEngineThatDoesNotAnswerMarksNothing() {
        FakeRuntime down = new FakeRuntime();
        down.unavailable = true;
        ImageReadiness images = new ImageReadiness(down);
        images.checkAll(catalog);
        for (String type : catalog.imageTypes()) {
            assertThat(images.problem(type)).as(type).isEmpty();
        }
    }
}
