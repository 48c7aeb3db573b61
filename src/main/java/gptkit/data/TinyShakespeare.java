package gptkit.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** nanoGPT's shakespeare_char: Tiny Shakespeare, downloaded as nanoGPT's prepare.py does. */
final class TinyShakespeare implements Corpus {
    @Override
    public String name() {
        return "shakespeare_char";
    }

    @Override
    public List<String> datasets() {
        return List.of(name());
    }

    @Override
    public boolean has(String dataset) {
        return dataset.equals(name());
    }

    @Override
    public List<String> fileNames() {
        return List.of("tinyshakespeare.txt", "input.txt", "shakespeare_char/input.txt");
    }

    @Override
    public Path download(Path dir) throws IOException {
        Path input = dir.resolve("input.txt");
        String url = System.getProperty("gptkit.shakespeare_url", Prepare.SHAKESPEARE_URL);
        String offline = String.format("Offline? Put Tiny Shakespeare (nanoGPT's input.txt) in a folder "
                + "as tinyshakespeare.txt or input.txt and set %s to that folder (now %s), or save it as %s.",
                Prepare.DATA_ENV, Prepare.whereData(), input);
        Prepare.download(url, input, Prepare.SHAKESPEARE_SHA256, offline);
        return input;
    }
}
