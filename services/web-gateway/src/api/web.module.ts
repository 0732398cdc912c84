import { Module, type DynamicModule } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { FilesController } from './files.controller';
import { WEB_PARTS } from './tokens';
import type { WebParts } from './web-parts';

/** The edge: Nest routes the JSON API to controllers; everything they use is made in start.ts. */
@Module({})
export class WebModule {
  static with(parts: WebParts): DynamicModule {
    return {
      module: WebModule,
      controllers: [AuthController, FilesController],
      providers: [{ provide: WEB_PARTS, useValue: parts }],
    };
  }
}
