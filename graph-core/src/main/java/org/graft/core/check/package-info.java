/**
 * What users call from their own tests: {@link org.graft.core.check.GradCheck}, which compares
 * a graph's symbolic gradient with central finite differences, and
 * {@link org.graft.core.check.Tensors}, jqwik arbitraries for shapes and tensors over a domain.
 * {@code Tensors} needs jqwik on the class path (graph-core declares it optional).
 */
package org.graft.core.check;
