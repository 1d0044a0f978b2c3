import React from 'react';
import ReactDOM from 'react-dom';
import { AyxAppWrapper } from '@alteryx/ui';
import { DesignerApi } from '@alteryx/react-comms';
import App from './App';

const root = document.getElementById('app');
const toolClass = root.getAttribute('data-tool');

ReactDOM.render(
  <DesignerApi messages={{}}>
    <AyxAppWrapper>
      <App toolClass={toolClass} />
    </AyxAppWrapper>
  </DesignerApi>,
  root,
);
