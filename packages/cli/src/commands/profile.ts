/** `virnyflow profile`: Virny's whole protocol for predictions made elsewhere (a thin shell over metrics). */
import { runProfile } from '@virnyflow/metrics';

export interface ProfileOptions {
  readonly labels: string;
  readonly predictions: string;
  readonly sensitive: string;
  readonly groups: string;
  readonly format?: 'csv' | 'json';
}

export async function profileCommand(o: ProfileOptions): Promise<string> {
  return runProfile({
    labelsCsv: o.labels,
    predictionsCsv: o.predictions,
    sensitiveCsv: o.sensitive,
    groups: o.groups,
    format: o.format ?? 'json',
  });
}
