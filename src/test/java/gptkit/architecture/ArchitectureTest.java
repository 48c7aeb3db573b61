package gptkit.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layering rule of the library, checked on its compiled classes: imports point one way,
 * from the command line down to the trainer, its parts and the base.
 * <pre>
 *   cli                         the command line
 *   exercises                   a student's parts plugged into the trainer
 *   train                       the loop and the parts' interfaces that need the whole model
 *   data model optim amp ddp    the parts (and plot, sample, track, songci; checkpoint, the file format;
 *   plot sample track songci    schedule, the learning rates; outdir, a run's folder): none imports train or cli
 *   checkpoint schedule outdir
 *   autograd config files i18n  the base: no_grad and backward, the settings, safe file writes, the language
 *   engine                      DJL's engine, malloc, the TorchScript kernels, the process's memory
 * </pre>
 * Every class is in a layer, and the root package gptkit holds none. The notebooks' aids
 * (gptkit.notebook) sit outside: nothing in the library may use them.
 */
class ArchitectureTest {
    // the compiled library (with the notebook aids): Maven's target/classes, not the jars around it
    static final JavaClasses LIBRARY = new ClassFileImporter().importPath(Path.of("target", "classes"));

    static final ArchRule LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .ensureAllClassesAreContainedInArchitecture()
            .layer("cli").definedBy("gptkit.cli..")
            .layer("exercises").definedBy("gptkit.exercises..")
            .layer("train").definedBy("gptkit.train..")
            .layer("parts").definedBy("gptkit.data..", "gptkit.model..", "gptkit.optim..", "gptkit.amp..",
                    "gptkit.ddp..", "gptkit.plot..", "gptkit.sample..", "gptkit.track..", "gptkit.songci..",
                    "gptkit.checkpoint..", "gptkit.schedule..", "gptkit.outdir..")
            .layer("base").definedBy("gptkit.autograd..", "gptkit.config..", "gptkit.files..", "gptkit.i18n..")
            .layer("engine").definedBy("gptkit.engine..")
            .layer("notebook aids").definedBy("gptkit.notebook..")
            .whereLayer("cli").mayNotBeAccessedByAnyLayer()
            .whereLayer("exercises").mayOnlyBeAccessedByLayers("cli", "notebook aids")
            .whereLayer("train").mayOnlyBeAccessedByLayers("exercises", "cli", "notebook aids")
            .whereLayer("parts").mayOnlyBeAccessedByLayers("exercises", "train", "cli", "notebook aids")
            .whereLayer("base").mayOnlyBeAccessedByLayers("parts", "exercises", "train", "cli", "notebook aids")
            .whereLayer("notebook aids").mayNotBeAccessedByAnyLayer();

    /** A class in the root package would be a package of its own that no layer names. */
    static final ArchRule ROOT_IS_EMPTY = noClasses().should().resideInAPackage("gptkit")
            .because("the root package is a grab-bag: put a class in the package that says what it is");

    /**
     * One slice per package under gptkit, the root package being a slice of its own:
     * slices().matching("gptkit.(*)..") leaves the root's classes out, and so missed the cycle
     * gptkit.Tensors -> gptkit.autograd.NoGrad, gptkit.autograd.Autograd -> gptkit.Kernels.
     */
    static final SliceAssignment PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            String p = c.getPackageName();
            if (p.equals("gptkit")) {
                return SliceIdentifier.of("gptkit (the root)");
            }
            return p.startsWith("gptkit.") ? SliceIdentifier.of(p.substring(7).split("\\.")[0])
                    : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "gptkit's packages, the root included";
        }
    };

    static final ArchRule NO_CYCLES = slices().assignedFrom(PACKAGES).should().beFreeOfCycles();

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
    void theRootPackageIsEmpty() {
        ROOT_IS_EMPTY.check(LIBRARY);
    }

    @Test
    void thePackagesHaveNoCycles() {
        NO_CYCLES.check(LIBRARY);
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

    @Test
    void theRulesCatchACycle() {
        // the engine using autograd, which uses the engine's kernels (test code, only imported here)
        JavaClasses withCycle = new ClassFileImporter().importClasses(gptkit.engine.PlantedCycle.class,
                gptkit.autograd.NoGrad.class, gptkit.autograd.Autograd.class, gptkit.engine.Kernels.class);
        AssertionError cycle = assertThrows(AssertionError.class, () -> NO_CYCLES.check(withCycle));
        assertTrue(cycle.getMessage().contains("Cycle detected: Slice autograd") && cycle.getMessage()
                .contains("gptkit.engine.PlantedCycle") && cycle.getMessage().contains("Kernels"), cycle.getMessage());
        AssertionError upward = assertThrows(AssertionError.class, () -> LAYERS.check(withCycle));
        assertTrue(upward.getMessage().contains("gptkit.engine.PlantedCycle"), upward.getMessage());
    }

    @Test
    void theRootPackageIsNotMissed() {
        // Fixtures is test code in the root package: the root rule names it, and it is a slice of its own
        JavaClasses root = new ClassFileImporter().importClasses(gptkit.Fixtures.class);
        AssertionError e = assertThrows(AssertionError.class, () -> ROOT_IS_EMPTY.check(root));
        assertTrue(e.getMessage().contains("gptkit.Fixtures"), e.getMessage());
        assertEquals(SliceIdentifier.of("gptkit (the root)"), PACKAGES.getIdentifierOf(root.get(gptkit.Fixtures.class)));
        AssertionError layers = assertThrows(AssertionError.class, () -> LAYERS.check(root));
        assertTrue(layers.getMessage().contains("gptkit.Fixtures"), layers.getMessage());
    }
}
