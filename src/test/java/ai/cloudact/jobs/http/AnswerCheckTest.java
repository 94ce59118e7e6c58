package ai.cloudact.jobs.http;

import ai.cloudact.jobs.run.ExplainedFailure;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An HTML page where JSON is expected fails the call with what came back; any other answer gets a one-line preview. */
class AnswerCheckTest {

    private static Exchange answer(String body, String contentType) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(body);
        if (contentType != null) {
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, contentType);
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        return exchange;
    }

    @ParameterizedTest
    @ValueSource(strings = {"<!DOCTYPE html><html></html>", "<html><body>login</body></html>", "  \n\t <!doctype HTML>",
            "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n<HTML>"})
    void anHtmlPageFailsTheCallWhateverItsCaseAndLeadingSpace(String page) {
        assertThatThrownBy(() -> new AnswerCheck().process(answer(page, "application/json")))
                .isInstanceOf(ExplainedFailure.class).hasMessageContaining("where the API answers JSON");
    }

    @Test
    void anHtmlPageAfterMegabytesOfBlankLinesIsStillOne() {
        assertThatThrownBy(() -> new AnswerCheck().process(answer("\n".repeat(3 << 20) + "<html>", null)))
                .isInstanceOf(ExplainedFailure.class).hasMessageContaining("answered an HTML page");
    }

    @Test
    void anHtmlContentTypeFailsTheCallToo() {
        assertThatThrownBy(() -> new AnswerCheck().process(answer("{}", "text/html; charset=utf-8")))
                .isInstanceOf(ExplainedFailure.class).hasMessageContaining("answered text/html (");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"ok\":true}", "", "   ", "<h", "html", "[\"<html>\"]"})
    void anyOtherAnswerPassesWithAOneLinePreview(String body) {
        Exchange exchange = answer(body, null);

        new AnswerCheck().process(exchange);

        assertThat(exchange.getProperty(AnswerCheck.PREVIEW, String.class)).isEqualTo(body.trim());
    }

    @Test
    void thePreviewIsOneLineCutAtItsLimitWithTheFullLength() {
        assertThat(AnswerCheck.preview("a \n\n b\t\tc", 100)).isEqualTo("a b c");
        assertThat(AnswerCheck.preview("x".repeat(50) + "\n" + "y".repeat(50), 10)).isEqualTo("xxxxxxxxxx...(101 chars)");
    }
}
