/**
 * Cycles in the catalog's graphs (steps' `needs`, jobs' `after`, jobnets nesting jobnets):
 * one cycle per strongly connected component, printed from the node the operator meets first
 * in the file, so each knot is reported once and reads in file order.
 */

export interface Edge<P> {
  from: string;
  to: string;
  /** Where the edge is declared, to report the cycle there. */
  where: P;
}

export interface Cycle<P> {
  /** The cycle's nodes, the first repeated at the end: a → b → c → a. */
  nodes: string[];
  /** The edge that leaves the first node. */
  first: Edge<P>;
}

/** `nodes` in file order; edges to unknown nodes are ignored (they are reported as unknown names). */
export function findCycles<P>(nodes: readonly string[], edges: readonly Edge<P>[]): Cycle<P>[] {
  const order = new Map(nodes.map((node, index) => [node, index]));
  const next = new Map<string, Edge<P>[]>();
  for (const edge of edges) {
    if (!order.has(edge.from) || !order.has(edge.to)) continue;
    next.set(edge.from, [...(next.get(edge.from) ?? []), edge]);
  }
  return components(nodes, next)
    .filter((component) => component.length > 1 || (next.get(component[0]!) ?? []).some((edge) => edge.to === component[0]))
    .map((component) => {
      const start = [...component].sort((a, b) => order.get(a)! - order.get(b)!)[0]!;
      return shortestCycle(start, new Set(component), next);
    })
    .sort((a, b) => order.get(a.nodes[0]!)! - order.get(b.nodes[0]!)!);
}

/** Tarjan's strongly connected components, iteratively (a long chain must not overflow the stack). */
function components<P>(nodes: readonly string[], next: ReadonlyMap<string, Edge<P>[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; edge: number }[] = [{ node: root, edge: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const out = next.get(frame.node) ?? [];
      if (frame.edge < out.length) {
        const to = out[frame.edge++]!.to;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        result.push(component);
      }
    }
  }
  return result;
}

/** Breadth-first from `start` back to itself inside its component: the shortest loop to show. */
function shortestCycle<P>(start: string, component: ReadonlySet<string>, next: ReadonlyMap<string, Edge<P>[]>): Cycle<P> {
  const cameBy = new Map<string, Edge<P>>();
  const queue: string[] = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const edge of next.get(node) ?? []) {
      if (!component.has(edge.to) || cameBy.has(edge.to)) continue;
      cameBy.set(edge.to, edge);
      if (edge.to === start) return unwind(start, cameBy);
      queue.push(edge.to);
    }
  }
  throw new Error(`no cycle through ${start} in its own component`);
}

function unwind<P>(start: string, cameBy: ReadonlyMap<string, Edge<P>>): Cycle<P> {
  const path: Edge<P>[] = [];
  let node = start;
  do {
    const edge = cameBy.get(node)!;
    path.unshift(edge);
    node = edge.from;
  } while (node !== start);
  return { nodes: [start, ...path.map((edge) => edge.to)], first: path[0]! };
}
