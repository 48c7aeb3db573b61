package gptkit.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layering rule of the library, checked on its compiled classes: imports point one way,
 * from the command line down to the trainer, its parts and the base.
 * <pre>
 *   cli                         the command line
 *   exercises                   a student's parts plugged into the trainer
 *   train                       the loop and the parts' interfaces that need the whole model
 *   data model optim amp ddp    the parts (and plot, sample): none imports train or cli
 *   plot sample
 *   gptkit autograd config      the base: the engine, no_grad, the settings
 * </pre>
 * The notebooks' aids (gptkit.notebook) sit outside: nothing in the library may use them.
 */
class ArchitectureTest {
    // the compiled library (with the notebook aids): Maven's target/classes, not the jars around it
    static final JavaClasses LIBRARY = new ClassFileImporter().importPath(Path.of("target", "classes"));

    static final ArchRule LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("cli").definedBy("gptkit.cli..")
            .layer("exercises").definedBy("gptkit.exercises..")
            .layer("train").definedBy("gptkit.train..")
            .layer("parts").definedBy("gptkit.data..", "gptkit.model..", "gptkit.optim..", "gptkit.amp..",
                    "gptkit.ddp..", "gptkit.plot..", "gptkit.sample..", "gptkit.track..")
            .layer("base").definedBy("gptkit", "gptkit.autograd..", "gptkit.config..")
            .layer("notebook aids").definedBy("gptkit.notebook..")
            .whereLayer("cli").mayNotBeAccessedByAnyLayer()
            .whereLayer("exercises").mayOnlyBeAccessedByLayers("cli", "notebook aids")
            .whereLayer("train").mayOnlyBeAccessedByLayers("exercises", "cli", "notebook aids")
            .whereLayer("parts").mayOnlyBeAccessedByLayers("exercises", "train", "cli", "notebook aids")
            .whereLayer("notebook aids").mayNotBeAccessedByAnyLayer();

    @Test
    void theWholeLibraryIsChecked() {
        assertTrue(LIBRARY.contain("gptkit.train.Trainer") && LIBRARY.contain("gptkit.cli.Main")
                && LIBRARY.contain("gptkit.notebook.Source"), "target/classes holds the library");
    }

    @Test
    void layersPointOneWay() {
        LAYERS.check(LIBRARY);
    }

    @Test
    void thePartsPackagesHaveNoCycles() {
        slices().matching("gptkit.(*)..").should().beFreeOfCycles().check(LIBRARY);
    }

    @Test
    void theLibraryNeverUsesTheNotebookAids() {
        noClasses().that().resideOutsideOfPackage("gptkit.notebook..")
                .should().dependOnClassesThat().resideInAPackage("gptkit.notebook..")
                .check(LIBRARY);
    }

    @Test
    void theRuleCatchesAnUpwardImport() {
        // a model class that reaches up into the trainer (test code, only imported here)
        JavaClasses withViolation = new ClassFileImporter().importClasses(gptkit.model.UpwardImport.class,
                gptkit.train.Trainer.class);
        AssertionError e = assertThrows(AssertionError.class, () -> LAYERS.check(withViolation));
        assertTrue(e.getMessage().contains("gptkit.model.UpwardImport") && e.getMessage().contains("Trainer"),
                e.getMessage());
    }
}
