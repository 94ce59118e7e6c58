package ai.cloudact.jobs.runtime;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import ai.cloudact.jobs.catalog.SafeYaml;
import org.apache.camel.BeanConfigInject;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.Consume;
import org.apache.camel.EndpointInject;
import org.apache.camel.Produce;
import org.apache.camel.PropertyInject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runtime turns Camel's bean post-processing off (CamelSetup): a bean still gets its
 * {@code properties:} and the CamelContext, but the annotations that processing acts on
 * (@PropertyInject, @BeanInject, @EndpointInject, @BindToRegistry, ...) would be ignored without a
 * word. This test fails when one is used: on any class of the runtime, or on any class a YAML file of
 * the runtime names as a bean (shared, steps, every pack, found by themselves: {@code type},
 * {@code factoryBean}, {@code builderClass}, and what a {@code factoryMethod} returns). Job files from
 * ROUTES_DIR are the operator's: docs/deploy.md says the same of them.
 */
class YamlBeansTest {

    private static final Path RESOURCES = Path.of("src/main/resources");
    private static final Path CLASSES = Path.of("target/classes");
    private static final Set<Class<? extends Annotation>> INJECTION = Set.of(PropertyInject.class, BeanInject.class,
            BeanConfigInject.class, EndpointInject.class, Produce.class, Consume.class, BindToRegistry.class);

    @Test
    void noClassOfTheRuntimeOrOfAYamlBeanUsesCamelsInjectionAnnotations() throws IOException {
        Set<String> runtime = runtimeClasses();
        assertThat(runtime).as("the runtime's classes (mvn compile first)").contains(CamelSetup.class.getName());
        Set<String> beans = yamlBeanClasses();
        assertThat(beans).as("bean classes named in the YAML files")
                .contains("ai.cloudact.jobs.http.CallLimits", "ai.cloudact.jobs.catalog.JobSpec", "ai.cloudact.jobs.beans.BigQueryConnections");

        Set<String> checked = new TreeSet<>(runtime);
        checked.addAll(beans);
        List<String> found = new ArrayList<>();
        for (String name : checked) {
            Class<?> type;
            try {
                type = Class.forName(name, false, getClass().getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                found.add(name + ": cannot be loaded (" + e + ")");
                continue;
            }
            found.addAll(injectionAnnotations(type));
            if (beans.contains(name)) {
                for (Method method : type.getDeclaredMethods()) {
                    if (Modifier.isStatic(method.getModifiers()) && !method.getReturnType().isPrimitive()
                            && !method.getReturnType().getName().startsWith("java.")) {
                        found.addAll(injectionAnnotations(method.getReturnType())); // a factoryMethod's product
                    }
                }
            }
        }
        assertThat(found).as("injection annotations Camel would not act on (bean post-processing is off)").isEmpty();
    }

    /** Camel's injection annotations on a class and its superclasses (below java.*). */
    private static List<String> injectionAnnotations(Class<?> type) {
        List<String> found = new ArrayList<>();
        for (Class<?> c = type; c != null && !c.getName().startsWith("java."); c = c.getSuperclass()) {
            List<AnnotatedElement> elements = new ArrayList<>(List.of(c));
            elements.addAll(List.of(c.getDeclaredFields()));
            elements.addAll(List.of(c.getDeclaredMethods()));
            elements.addAll(List.of(c.getDeclaredConstructors()));
            for (AnnotatedElement element : elements) {
                for (Annotation annotation : element.getAnnotations()) {
                    if (INJECTION.contains(annotation.annotationType())) {
                        found.add(type.getName() + ": " + element + " has @" + annotation.annotationType().getSimpleName());
                    }
                }
            }
        }
        return found;
    }

    private static Set<String> runtimeClasses() throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(CLASSES)) {
            files.map(CLASSES::relativize).map(Path::toString).filter(name -> name.endsWith(".class") && !name.contains("$"))
                    .forEach(name -> names.add(name.substring(0, name.length() - ".class".length()).replace('/', '.')));
        }
        return names;
    }

    /** Every class a YAML file names in a {@code beans:} entry. */
    private static Set<String> yamlBeanClasses() throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(RESOURCES)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".yaml")).toList()) {
                collect(SafeYaml.load(Files.readString(file), file.toString()), false, names);
            }
        }
        return names;
    }

    /** Walks the YAML; inside a {@code beans:} list, takes the class names of each entry. */
    private static void collect(Object node, boolean inBeans, Set<String> names) {
        if (node instanceof Map<?, ?> map) {
            if (inBeans) {
                for (String key : List.of("type", "factoryBean", "builderClass")) {
                    if (map.get(key) instanceof String text) {
                        String name = text.replaceFirst("^#(class|type):", "").trim();
                        if (name.matches("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)+")) {
                            names.add(name);
                        }
                    }
                }
            }
            map.forEach((key, value) -> collect(value, "beans".equals(key), names));
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collect(item, inBeans, names));
        }
    }
}
