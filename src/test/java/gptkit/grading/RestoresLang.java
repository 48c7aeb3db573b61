package gptkit.grading;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For the tests that set -Dlang to see the card in Chinese or English: puts back the value the run was
 * started with (a student's -Dlang=zh), so the rest of the run keeps it.
 */
final class RestoresLang implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(RestoresLang.class);
    private static final String UNSET = "\0unset";

    @Override
    public void beforeEach(ExtensionContext context) {
        String lang = System.getProperty("lang");
        context.getStore(NS).put("lang", lang == null ? UNSET : lang);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        String lang = context.getStore(NS).get("lang", String.class);
        if (lang == null || lang.equals(UNSET)) {
            System.clearProperty("lang");
        } else {
            System.setProperty("lang", lang);
        }
    }
}
