package io.containerlease.api.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.containerlease.config.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who the client is: the TCP peer, or, behind trusted proxies only, the first untrusted hop from the right. */
class ClientAddressTest {
    private static final List<Cidr> PROXIES = List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("::1"));

    @Test
    void anUntrustedPeerIsTheClientWhateverItsHeaderSays() {
        assertThat(ClientAddress.resolve("203.0.113.9", "1.2.3.4", PROXIES)).isEqualTo("203.0.113.9");
        assertThat(ClientAddress.resolve("203.0.113.9", null, List.of())).isEqualTo("203.0.113.9");
    }

    @Test
    void behindTrustedProxiesTheFirstUntrustedHopFromTheRightIsTheClient() {
        assertThat(ClientAddress.resolve("10.1.1.1", "198.51.100.7", PROXIES)).isEqualTo("198.51.100.7");
        // A client that forges a left-most entry cannot choose who it is.
        assertThat(ClientAddress.resolve("10.1.1.1", "1.1.1.1, 198.51.100.7, 10.2.2.2", PROXIES))
                .isEqualTo("198.51.100.7");
        assertThat(ClientAddress.resolve("::1", " , 10.0.0.5", PROXIES))
                .as("every hop trusted: the peer")
                .isEqualTo("::1");
        assertThat(ClientAddress.resolve("10.1.1.1", "", PROXIES)).isEqualTo("10.1.1.1");
        assertThat(ClientAddress.resolve("10.1.1.1", "x".repeat(500), PROXIES)).hasSize(64);
    }

    @Test
    void cidrsMatchByPrefixForBothFamiliesAndNeverResolveNames() {
        assertThat(Cidr.parse("10.0.0.0/8").contains("10.255.0.1")).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains("11.0.0.1")).isFalse();
        assertThat(Cidr.parse("192.168.1.77/24")).isEqualTo(Cidr.parse("192.168.1.0/24"));
        assertThat(Cidr.parse("2001:db8::/32").contains("2001:db8:ffff::1")).isTrue();
        assertThat(Cidr.parse("2001:db8::/32").contains("10.0.0.1"))
                .as("another family")
                .isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains("8.8.8.8")).isTrue();
        assertThat(Cidr.parse("::1").contains("[::1]")).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains("localhost"))
                .as("a name, not a literal")
                .isFalse();
        assertThatThrownBy(() -> Cidr.parse("proxy.example.com")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
    }
}
