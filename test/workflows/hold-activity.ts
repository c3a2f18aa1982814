/** A test activity that holds on for a while in real time, as a job's work does while it holds a lock. */
export async function holdFor(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
