package ai.cloudact.jobs.runtime;

import java.io.IOException;
import java.lang.reflect.AnnotatedElement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runtime turns Camel's bean post-processing off (CamelSetup): a bean of a YAML file gets its
 * {@code properties:} and the CamelContext, but Camel's injection annotations (@PropertyInject,
 * @BeanInject, @EndpointInject, ...) on it would be ignored without a word. This test reads every
 * YAML file of the runtime (shared, steps, every pack, found by itself) and fails when one of their
 * bean classes carries any annotation of Camel's.
 */
class YamlBeansTest {

    private static final Path RESOURCES = Path.of("src/main/resources");
    private static final Pattern BEAN_TYPE = Pattern.compile("(?m)^\\s*type:\\s*\"?([A-Za-z_$][\\w.$]*)\"?\\s*$");

    @Test
    void noBeanClassOfAYamlFileUsesCamelsInjectionAnnotations() throws IOException {
        Set<String> types = beanTypes();
        assertThat(types).as("bean types found in the YAML files").contains("ai.cloudact.jobs.http.CallLimits", "ai.cloudact.jobs.catalog.JobSpec");

        List<String> found = new ArrayList<>();
        for (String type : types) {
            Class<?> bean;
            try {
                bean = Class.forName(type);
            } catch (ClassNotFoundException e) {
                found.add(type + ": no such class");
                continue;
            }
            for (Class<?> c = bean; c != null && !c.getName().startsWith("java."); c = c.getSuperclass()) {
                List<AnnotatedElement> elements = new ArrayList<>(List.of(c));
                elements.addAll(List.of(c.getDeclaredFields()));
                elements.addAll(List.of(c.getDeclaredMethods()));
                elements.addAll(List.of(c.getDeclaredConstructors()));
                for (AnnotatedElement element : elements) {
                    Stream.of(element.getAnnotations())
                            .filter(annotation -> annotation.annotationType().getName().startsWith("org.apache.camel."))
                            .forEach(annotation -> found.add(type + ": " + element + " has @" + annotation.annotationType().getSimpleName()));
                }
            }
        }
        assertThat(found).as("Camel annotations on YAML beans, which Camel would not act on (bean post-processing is off)").isEmpty();
    }

    private static Set<String> beanTypes() throws IOException {
        Set<String> types = new TreeSet<>();
        try (Stream<Path> files = Files.walk(RESOURCES)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".yaml")).toList()) {
                Matcher type = BEAN_TYPE.matcher(Files.readString(file));
                while (type.find()) {
                    if (type.group(1).contains(".") && !type.group(1).startsWith("java.")) {
                        types.add(type.group(1));
                    }
                }
            }
        }
        return types;
    }
}
