import type { ComponentType } from 'preact'
import { ChatPage } from './chat.js'
import { ChatsPage } from './chats.js'
import { EviPage } from './evi.js'
import { JobsPage } from './jobs.js'
import { SpeechPage } from './speech.js'
import { VoicesPage } from './voices.js'

export interface PageSpec {
  /** The hash route: #/speech */
  path: string
  /** The navigation link's text, and the page's heading. */
  name: string
  component: ComponentType
}

export const pages: PageSpec[] = [
  { path: 'speech', name: 'Speech', component: SpeechPage },
  { path: 'voices', name: 'Voices', component: VoicesPage },
  { path: 'evi', name: 'EVI', component: EviPage },
  { path: 'chat', name: 'Chat', component: ChatPage },
  { path: 'jobs', name: 'Jobs', component: JobsPage },
  { path: 'chats', name: 'Chats', component: ChatsPage },
]
