// Kubernetes resource quantities, the few forms the lab config uses: CPU as cores ("2", "0.5") or
// millicores ("250m"); memory as bytes with a binary suffix ("512Mi", "16Gi").

export const CPU_QUANTITY = /^(\d+(\.\d+)?|\d+m)$/;

/** bytes of a memory quantity (Ki/Mi/Gi/Ti or plain bytes), or undefined if not one. */
export function memoryBytes(quantity: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)?$/.exec(quantity);
  if (!m) return undefined;
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

/** millicores of a cpu quantity ("250m", "2", "0.5"), or undefined if not one. */
export function cpuMillis(quantity: string): number | undefined {
  if (!CPU_QUANTITY.test(quantity)) return undefined;
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
}

/** "3.5 CPU", "250m CPU". */
export const formatCpu = (millis: number) => (millis % 1000 === 0 || millis >= 1000 ? `${+(millis / 1000).toFixed(2)} CPU` : `${Math.round(millis)}m CPU`);

/** "13.3Gi", "512Mi". */
export function formatMemory(bytes: number): string {
  return bytes >= 2 ** 30 ? `${+(bytes / 2 ** 30).toFixed(2)}Gi` : `${Math.round(bytes / 2 ** 20)}Mi`;
}
